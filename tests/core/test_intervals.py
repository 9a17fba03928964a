"""Interval buckets in the centre's zone (the SQL form is tests/store/test_interval_sql.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

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


def test_state_time_clips_and_splits():
    changes = [Change(0, 0, "a", "available"), Change(100, 0, "b", "on_contact"), Change(250, 0, "c", "logged_out")]
    assert state_time(changes, 50, 200) == {50: {"handle_state_ms": 100, "available_ms": 50, "logged_in_ms": 150}}
    split = state_time(changes, 0, 300, boundaries=[0, 150])
    assert split == {0: {"handle_state_ms": 50, "available_ms": 100, "logged_in_ms": 150},
                     150: {"handle_state_ms": 100, "available_ms": 0, "logged_in_ms": 100}}
