"""Agent time laid a local day at a time and kept (``agent_time_blocks``), on both engines.

Asia/Shanghai; BASE is 2026-11-02 09:00 local, times are seconds after it.
Every expectation is worked by hand from the state changes and contacts.
"""

from __future__ import annotations

import pytest

from pipeline.settings import load_settings
from pipeline.store import agent_time_blocks
from tests.fixtures.events import answered, ended, event, offered, wrapup
from tests.fixtures.stores import ingest, report

H = 3600
SETTINGS = load_settings(tz="Asia/Shanghai")


def state(t: float, agent: str, name: str) -> dict:
    return event("agent.state", t, agent_id=agent, state=name)


def call(cid: str, t: float, agent: str, talk: float, acw: float) -> list[dict]:
    return [offered(cid, t - 5), answered(cid, t, agent), ended(cid, t + talk), wrapup(cid, t + talk + acw, agent)]


# "q" never logs out on the first day (queue_log writes no state for calls): available at 17:00, a call
# 17:10-17:20 with 2 min of wrap-up, and the next thing it does is a call at 09:00 the next day.
QUEUE_LOG_AGENT = [state(8 * H, "q", "available"), *call("q1", 8 * H + 600, "q", 600, 120),
                   *call("q2", 24 * H, "q", 600, 120), state(33 * H, "q", "logged_out")]


def by_agent(store, start: str, end: str, **more) -> dict:
    return {r["agent_id"]: r for r in report(store, start, end, SETTINGS, by=("agent",), **more)}


def test_the_day_s_last_state_runs_to_midnight_when_the_agent_does_anything_later(store):
    ingest(store, QUEUE_LOG_AGENT, SETTINGS)
    first = by_agent(store, "2026-11-02", "2026-11-03")["q"]
    # 17:00-17:10 available, 17:10-17:20 on the call, 17:20-17:22 wrap-up, 17:22-24:00 available (the next
    # day's call ends that state): 7 h logged in, 12 min handling
    assert first["logged_in_s"] == 7 * H
    assert first["occupancy"] == pytest.approx(720 / (7 * H))
    second = by_agent(store, "2026-11-03", "2026-11-04")["q"]
    # 00:00-09:00 available, the call 09:00-09:12, available until logged out at 18:00: 18 h
    assert second["logged_in_s"] == 18 * H
    both = by_agent(store, "2026-11-02", "2026-11-04")["q"]
    assert both["logged_in_s"] == 25 * H  # the two days' sum: one timeline over both gives the same
    assert both["occupancy"] == pytest.approx(1440 / (25 * H))


def test_a_week_by_day_sums_to_the_week(store):
    ingest(store, QUEUE_LOG_AGENT, SETTINGS)
    days = report(store, "2026-11-02", "2026-11-09", SETTINGS, by=("agent", "interval"), interval="1d")
    assert [(r["interval_start"][:10], r["logged_in_s"]) for r in days] == [
        ("2026-11-02", 7 * H), ("2026-11-03", 18 * H)]
    assert by_agent(store, "2026-11-02", "2026-11-09")["q"]["logged_in_s"] == 25 * H


def test_without_anything_later_the_last_state_stays_open(store):
    ingest(store, [state(8 * H, "open", "available"), *call("o1", 8 * H + 600, "open", 600, 120)], SETTINGS)
    # available 17:00-17:10, the call and its wrap-up until 17:22; available after that counts nothing yet
    assert by_agent(store, "2026-11-02", "2026-11-03")["open"]["logged_in_s"] == 1320
    ingest(store, [state(10 * H, "open", "logged_out")], SETTINGS)  # 19:00: the state now has an end
    assert by_agent(store, "2026-11-02", "2026-11-03")["open"]["logged_in_s"] == 2 * H


def test_a_late_event_lays_its_day_again_and_only_its_agent(store, monkeypatch):
    ingest(store, [state(0, "a", "available"), state(2 * H, "a", "logged_out"),
                   state(0, "b", "available"), state(H, "b", "logged_out")], SETTINGS)
    assert {k: r["logged_in_s"] for k, r in by_agent(store, "2026-11-01", "2026-12-01").items()} == {
        "a": 2 * H, "b": H}
    kept = store.engine.query(f"SELECT agent_id FROM {store.db}.agent_time_blocks FINAL ORDER BY agent_id")
    assert kept["agent_id"] == ["a", "b"]

    laid: list[set[str]] = []
    real_lay = agent_time_blocks.lay
    monkeypatch.setattr(agent_time_blocks, "lay", lambda *a, **k: laid.append(set(a[3])) or real_lay(*a, **k))
    assert by_agent(store, "2026-11-01", "2026-12-01")["a"]["logged_in_s"] == 2 * H
    assert laid == []  # nothing changed: every block read as kept

    ingest(store, [state(H, "a", "logged_out")], SETTINGS)  # a's logout at 10:00 arrives late
    assert {k: r["logged_in_s"] for k, r in by_agent(store, "2026-11-01", "2026-12-01").items()} == {
        "a": H, "b": H}
    assert laid == [{"a"}]


def test_a_range_off_the_quarter_hour_grid_is_clipped_exactly(store):
    ingest(store, [state(0, "c", "available"), state(2 * H, "c", "logged_out")], SETTINGS)
    # 09:00-11:00 available; the range 09:07:30-10:50 holds 1 h 42.5 min of it
    rows = by_agent(store, "2026-11-02T09:07:30", "2026-11-02T10:50")
    assert rows["c"]["logged_in_s"] == 6150
    kept = store.engine.query(f"SELECT count() AS n FROM {store.db}.agent_time_blocks")
    assert kept["n"] == [0]  # a range off the grid lays its edge days for itself


def test_blocks_are_kept_per_time_zone(store):
    ingest(store, [state(0, "z", "available"), state(2 * H, "z", "logged_out")], SETTINGS)
    utc = load_settings(tz="UTC")
    assert by_agent(store, "2026-11-02", "2026-11-03")["z"]["logged_in_s"] == 2 * H
    rows = {r["agent_id"]: r for r in report(store, "2026-11-02", "2026-11-03", utc, by=("agent",))}
    assert rows["z"]["logged_in_s"] == 2 * H
    kept = store.engine.query(f"SELECT tz, day_ms FROM {store.db}.agent_time_blocks FINAL ORDER BY tz")
    assert kept["tz"] == ["Asia/Shanghai", "UTC"]
    assert kept["day_ms"] == [1_793_548_800_000, 1_793_577_600_000]  # local midnight in each zone


def test_an_agent_logged_out_all_day_has_no_row_laid_or_kept(store):
    ingest(store, [state(0, "out", "logged_out"), state(0, "in", "available"), state(H, "in", "logged_out")],
           SETTINGS)
    for _ in range(2):  # laid, then read as kept (summed by the database)
        assert {k: r["logged_in_s"] for k, r in by_agent(store, "2026-11-01", "2026-12-01").items()} == {"in": H}


def test_a_call_over_midnight_is_split_and_its_days_are_not_laid_again_through_another_range(store, monkeypatch):
    # available 23:00, a call answered 23:55 (offered 23:54:55) talks until 00:10 and wraps up until 00:12,
    # then available until logged out at 01:00
    ingest(store, [state(14 * H, "m", "available"), *call("m1", 14 * H + 3300, "m", 900, 120),
                   state(16 * H, "m", "logged_out")], SETTINGS)
    month = by_agent(store, "2026-11-01", "2026-12-01")["m"]
    laid: list[set[str]] = []
    real_lay = agent_time_blocks.lay
    monkeypatch.setattr(agent_time_blocks, "lay", lambda *a, **k: laid.append(set(a[3])) or real_lay(*a, **k))
    first, second = by_agent(store, "2026-11-02", "2026-11-03")["m"], by_agent(store, "2026-11-03", "2026-11-04")["m"]
    assert laid == []  # the days' prints are the same through a day's range as through the month's
    # 23:00-23:55 available, 23:55-24:00 on the call | 00:00-00:10 on it, 00:10-00:12 wrap-up, 00:12-01:00 available
    assert (first["logged_in_s"], first["occupancy"]) == (H, pytest.approx(300 / H))
    assert (second["logged_in_s"], second["occupancy"]) == (H, pytest.approx(720 / H))
    assert (month["logged_in_s"], month["occupancy"]) == (2 * H, pytest.approx(1020 / (2 * H)))
