"""Logged-in time and occupancy of shifts crossing the report range's start, end and both (both engines).

Range 2026-11-02 09:00-12:00 Asia/Shanghai (BASE is 09:00 local; times are
seconds after it).  Every expectation is worked by hand from the state changes.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pipeline.core.agent_time import state_time
from pipeline.core.agent_work import Change
from tests.fixtures.events import event
from tests.fixtures.stores import ingest, report

H = 3600


def state(t: float, agent: str, name: str, base: datetime | None = None) -> dict:
    return event("agent.state", t, base, agent_id=agent, state=name) if base else \
        event("agent.state", t, agent_id=agent, state=name)


SHIFTS = [
    # crosses the start: available 08:30, on contact 09:10, logged out 09:20
    state(-1800, "start", "available"), state(600, "start", "on_contact"), state(1200, "start", "logged_out"),
    # crosses the end: available 11:30 .. logged out 13:00
    state(2.5 * H, "end", "available"), state(4 * H, "end", "logged_out"),
    # crosses both: on contact 08:00, available 10:00, logged out 13:00
    state(-H, "both", "on_contact"), state(H, "both", "available"), state(4 * H, "both", "logged_out"),
    # one state over the whole range, no change inside it: available 08:00 .. 13:00
    state(-H, "whole", "available"), state(4 * H, "whole", "logged_out"),
    # ends exactly at the range end: available 11:00 .. 12:00
    state(2 * H, "exact", "available"), state(3 * H, "exact", "logged_out"),
    # wholly after the range: nothing
    state(3 * H, "later", "available"), state(4 * H, "later", "logged_out"),
]


def test_shifts_crossing_the_start_the_end_and_both(store):
    ingest(store, SHIFTS)
    rows = {r["agent_id"]: r for r in report(store, "2026-11-02T09:00", "2026-11-02T12:00", by=("agent",))}
    assert sorted(rows) == ["both", "end", "exact", "start", "whole"]
    # start: 09:00-09:10 available, 09:10-09:20 on contact -> 1200 s logged in, occupancy 600 / 1200
    assert (rows["start"]["logged_in_s"], rows["start"]["occupancy"]) == (1200, pytest.approx(0.5))
    # end: 11:30-12:00 available (the part after 12:00 is the next range's) -> 1800 s, occupancy 0
    assert (rows["end"]["logged_in_s"], rows["end"]["occupancy"]) == (1800, 0)
    # both: on contact 09:00-10:00, available 10:00-12:00 -> 10800 s, occupancy 3600 / 10800
    assert (rows["both"]["logged_in_s"], rows["both"]["occupancy"]) == (3 * H, pytest.approx(1 / 3))
    assert rows["whole"]["logged_in_s"] == 3 * H
    assert rows["exact"]["logged_in_s"] == H


def test_the_next_range_gets_the_rest_of_the_shift(store):
    ingest(store, SHIFTS)
    rows = {r["agent_id"]: r["logged_in_s"] for r in
            report(store, "2026-11-02T12:00", "2026-11-02T15:00", by=("agent",))}
    # 12:00-13:00 for end, both, whole and later; exact logged out at 12:00 exactly
    assert rows == {"end": H, "both": H, "whole": H, "later": H}


def test_the_end_crossing_is_split_at_interval_boundaries(store):
    ingest(store, SHIFTS)
    rows = report(store, "2026-11-02T09:00", "2026-11-02T12:00", by=("agent", "interval"), interval="1h")
    both = [(r["interval_start"][11:16], r["logged_in_s"]) for r in rows if r["agent_id"] == "both"]
    end = [(r["interval_start"][11:16], r["logged_in_s"]) for r in rows if r["agent_id"] == "end"]
    assert both == [("09:00", H), ("10:00", H), ("11:00", H)]
    assert end == [("11:00", 1800)]


def test_a_night_shift_over_the_month_end_counts_in_both_months(store):
    # the case: logged in 2026-09-30 22:00 +08:00 until 2026-10-01 03:00
    base = datetime(2026, 9, 30, 14, 0, tzinfo=timezone.utc)
    ingest(store, [state(0, "n1", "available", base), state(5 * H, "n1", "logged_out", base)])
    (september,) = report(store, "2026-09-01", "2026-10-01", by=("agent",))
    (october,) = report(store, "2026-10-01", "2026-11-01", by=("agent",))
    assert (september["logged_in_s"], october["logged_in_s"]) == (2 * H, 3 * H)


def test_state_time_clips_at_both_ends():
    # pure core: changes in ms, range [1000, 5000)
    changes = [Change(0, 0, "e1", "on_contact"), Change(2000, 0, "e2", "available"),
               Change(9000, 0, "e3", "logged_out")]
    assert state_time(changes, 1000, 5000) == {
        1000: {"handle_state_ms": 1000, "available_ms": 3000, "logged_in_ms": 4000}}
    # without the change after the end the running state counts nothing (still open)
    assert state_time(changes[:2], 1000, 5000) == {
        1000: {"handle_state_ms": 1000, "available_ms": 0, "logged_in_ms": 1000}}
