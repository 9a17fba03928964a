"""Interval buckets in the centre's zone (the SQL form is tests/store/test_interval_sql.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from pipeline.core import intervals
from pipeline.core.agent_time import state_time
from pipeline.core.agent_work import Change

def test_days_start_at_local_midnight():
    zone = ZoneInfo("Asia/Shanghai")
    starts = intervals.starts(intervals.parse_instant("2026-11-01", zone), intervals.parse_instant("2026-11-03", zone),
                              "1d", zone)
    assert [intervals.iso(s, zone) for s in starts] == ["2026-11-01T00:00:00+08:00", "2026-11-02T00:00:00+08:00"]


def test_an_hourly_day_across_a_dst_change_has_23_hours():
    zone = ZoneInfo("America/New_York")
    day = intervals.starts(intervals.parse_instant("2026-03-08", zone), intervals.parse_instant("2026-03-09", zone),
                           "1h", zone)
    assert len(day) == 23


def test_daily_starts_cross_the_25_hour_autumn_day():
    # New York falls back on 1 November 2026: that day runs 25 hours (00:00 -04:00 to 00:00 -05:00 next day).
    # A step of 24 h from its midnight lands at 23:00 the same day and floors back to that midnight (the loop
    # never ends), which is why a day steps 26 h and floors again
    zone = ZoneInfo("America/New_York")
    starts = intervals.starts(intervals.parse_instant("2026-10-31", zone), intervals.parse_instant("2026-11-03", zone),
                              "1d", zone)
    assert [intervals.iso(s, zone) for s in starts] == [
        "2026-10-31T00:00:00-04:00", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"]
    assert starts[2] - starts[1] == 25 * 3_600_000


def test_state_time_clips_and_splits():
    changes = [Change(0, 0, "a", "available"), Change(100, 0, "b", "on_contact"), Change(250, 0, "c", "logged_out")]
    assert state_time(changes, 50, 200) == {50: {"handle_state_ms": 100, "available_ms": 50, "logged_in_ms": 150}}
    split = state_time(changes, 0, 300, boundaries=[0, 150])
    assert split == {0: {"handle_state_ms": 50, "available_ms": 100, "logged_in_ms": 150},
                     150: {"handle_state_ms": 100, "available_ms": 0, "logged_in_ms": 100}}


def test_state_time_skips_spans_before_the_range_and_logged_out_and_crosses_several_buckets():
    # buckets start at 0, 100, 200, 300; the range is [0, 400).  By hand, span by span:
    #   -100..-50 available:  wholly before the range, nothing (and the spans after it still count)
    #    -50..50  on_contact: clipped to 0..50: bucket 0, handling 50
    #     50..120 logged_out: not logged in, nothing
    #    120..350 available:  starts in bucket 100 (80), fills bucket 200 (100), ends in bucket 300 (50)
    #    350..450 on_contact: clipped to 350..400: bucket 300, handling 50
    changes = [Change(-100, 0, "a", "available"), Change(-50, 0, "b", "on_contact"), Change(50, 0, "c", "logged_out"),
               Change(120, 0, "d", "available"), Change(350, 0, "e", "on_contact"), Change(450, 0, "f", "logged_out")]
    assert state_time(changes, 0, 400, boundaries=[0, 100, 200, 300]) == {
        0: {"handle_state_ms": 50, "available_ms": 0, "logged_in_ms": 50},
        100: {"handle_state_ms": 0, "available_ms": 80, "logged_in_ms": 80},
        200: {"handle_state_ms": 0, "available_ms": 100, "logged_in_ms": 100},
        300: {"handle_state_ms": 50, "available_ms": 50, "logged_in_ms": 100},
    }


def test_each_interval_floors_to_its_local_boundary():
    # by hand: 09:47:30 Shanghai time lies in the 09:45 quarter, the 09:30 half hour, the 09:00 hour and the day
    # that began at local midnight
    zone = ZoneInfo("Asia/Shanghai")
    at = intervals.parse_instant("2026-11-02T09:47:30", zone)
    assert {name: intervals.iso(intervals.floor_ms(at, name, zone), zone) for name in intervals.INTERVALS} == {
        "15m": "2026-11-02T09:45:00+08:00", "30m": "2026-11-02T09:30:00+08:00",
        "1h": "2026-11-02T09:00:00+08:00", "1d": "2026-11-02T00:00:00+08:00"}


def test_an_unknown_interval_is_named_with_the_ones_there_are():
    with pytest.raises(ValueError, match=r"^interval '2h' is not one of 15m, 30m, 1h, 1d$"):
        intervals.check_interval("2h")
