"""The 15-minute ``queue_intervals`` rebuild: only the intervals a write touched, found through ``contact_offers``.

Hand-worked: two answered billing calls at 09:00 and 09:20 Shanghai time
(01:00 and 01:20 UTC) land in the 09:00 and 09:15 intervals; a CSAT of 4 for
the first arrives a day later (a late survey) and must change the 09:00
interval only, to exactly what the report over that interval says.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import orjson

from pipeline.core.intake import Intake
from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.chain import store_batch
from pipeline.settings import load_settings
from pipeline.store import queue_intervals
from pipeline.store.migrations import load
from pipeline.store.store import Store
from tests.fixtures.events import BASE, answered_call, event
from tests.fixtures.stores import TEST_KEY, report

SETTINGS = load_settings(tz="Asia/Shanghai")
NINE_MS = int(BASE.timestamp() * 1000)  # 09:00 local


def _write(store: Store, events: list[dict[str, Any]]) -> None:
    """One worker flush: the facts, then the intervals this batch touched."""
    intake = Intake(pseudonymiser(TEST_KEY))
    for item in events:
        intake.feed(orjson.dumps(item))
    store_batch(store, SETTINGS, intake.take())


def _intervals(store: Store) -> dict[int, tuple[int, int, int]]:
    rows = store.engine.query(f"SELECT toUInt32(interval_start) AS t, offered, csat_responses, csat_sum "
                              f"FROM {store.db}.queue_intervals FINAL WHERE queue = 'billing' ORDER BY t")
    return {int(t) * 1000: (int(o), int(n), int(s)) for t, o, n, s in
            zip(rows["t"], rows["offered"], rows["csat_responses"], rows["csat_sum"])}


def test_touched_are_local_15_minute_starts_even_at_a_45_minute_offset() -> None:
    kathmandu = load_settings(tz="Asia/Kathmandu")  # UTC+05:45
    # 30 s into a local quarter hour, its last millisecond, and the next quarter hour's first
    t = 1_793_333_730_000 - 1_793_333_730_000 % 900_000 + 30_000
    assert queue_intervals.touched([t, t + 869_999, t + 870_000], kathmandu) == {t - 30_000, t + 870_000}
    assert queue_intervals._runs([0, 1_800_000, 900_000, 3_600_000]) == [(0, 2_700_000), (3_600_000, 4_500_000)]


def test_a_late_survey_rebuilds_its_interval_only_and_equals_the_report(store: Store) -> None:
    _write(store, answered_call("c1", 0, 12, 200, 30) + answered_call("c2", 1200, 40, 100, 10))
    nine, quarter_past = NINE_MS, NINE_MS + 900_000
    assert _intervals(store) == {nine: (1, 0, 0), quarter_past: (1, 0, 0)}

    _write(store, [event("survey.csat", 86_400, contact_id="c1", score=4)])  # a day later
    assert _intervals(store) == {nine: (1, 1, 4), quarter_past: (1, 0, 0)}
    row = report(store, "2026-11-02T09:00", "2026-11-02T09:15", SETTINGS, by=("queue",))[0]
    assert (row["offered"], row["csat_responses"], row["csat_avg"]) == (1, 1, 4.0)


def test_migration_4_indexes_the_facts_stored_before_it(store: Store) -> None:
    _write(store, answered_call("c1", 0, 12, 200) + [event("contact.answered", 50, contact_id="c9", agent_id="a2")])
    store.engine.command(f"DROP TABLE {store.db}.contact_offers")  # as a store at version 3 had no index
    for statement in next(m for m in load() if m.version == 4).statements:
        store.engine.command(statement.replace("{db}", store.db))
    rows = store.engine.query(f"SELECT contact_id, offered_ms FROM {store.db}.contact_offers FINAL")
    assert list(zip(rows["contact_id"], rows["offered_ms"])) == [("c1", NINE_MS)]  # c9 has no offer yet


def test_zone_offsets_are_multiples_of_15_minutes() -> None:
    """``touched`` floors in UTC-aligned 15-minute steps; true for every zone the centre could be in today."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import available_timezones

    when = datetime(2026, 11, 2, tzinfo=timezone.utc)
    odd = [name for name in available_timezones()
           if (ZoneInfo(name).utcoffset(when.replace(tzinfo=None)) or timedelta()) % timedelta(minutes=15)]
    assert odd == []


def test_a_long_rebuild_goes_a_day_at_a_time() -> None:
    day = 86_400_000
    assert queue_intervals._chunks([(0, 2 * day + 900_000)]) == [[(0, day)], [(day, 2 * day)],
                                                                [(2 * day, 2 * day + 900_000)]]
    # scattered intervals share a step while they add up to a day
    assert queue_intervals._chunks([(0, 900_000), (5 * day, 5 * day + 900_000)]) == [
        [(0, 900_000), (5 * day, 5 * day + 900_000)]]


def test_quiet_days_are_rebuilt_in_one_step_up_to_the_budget() -> None:
    day = 86_400_000
    days = [[(0, day)], [(day, 2 * day)], [(2 * day, 3 * day)], [(5 * day, 5 * day + 900_000)]]
    # 300 + 150 contacts fit a budget of 500; the third day's 100 would not; the last interval joins it
    assert queue_intervals._joined(days, [300, 150, 100, 20], budget=500) == [
        ([(0, day), (day, 2 * day)], 450), ([(2 * day, 3 * day), (5 * day, 5 * day + 900_000)], 120)]
    # a day above the budget is a step of its own
    assert queue_intervals._joined(days[:2], [900, 10], budget=500) == [([(0, day)], 900), ([(day, 2 * day)], 10)]
    assert queue_intervals._runs_of([(0, day), (day, 2 * day), (5 * day, 6 * day)]) == [(0, 2 * day),
                                                                                      (5 * day, 6 * day)]


def test_days_rebuilt_in_one_joined_step_equal_a_rebuild_interval_by_interval(store: Store) -> None:
    """Three days of contacts rebuilt as one joined step give the rows of rebuilding each interval alone."""
    from tests.fixtures.replay_identity.dumps import table_dumps

    def pre_aggregates() -> dict[str, Any]:
        return {k: v for k, v in table_dumps(store).items() if k in ("agent_intervals", "queue_intervals",
                                                                       "agent_days")}

    _write(store, answered_call("c1", 0, 12, 200) + answered_call("c2", 86_400, 30, 100)
           + answered_call("c3", 2 * 86_400, 5, 60))
    starts = sorted(queue_intervals.touched([NINE_MS + k * 86_400_000 for k in range(3)], SETTINGS))
    queue_intervals.refresh(store, SETTINGS, starts)  # three days: joined into one step
    joined = pre_aggregates()
    for start in starts:  # one interval at a time: the worker's path, through the index
        queue_intervals.refresh(store, SETTINGS, [start])
    assert pre_aggregates() == joined
    assert _intervals(store) == {NINE_MS + k * 86_400_000: (1, 0, 0) for k in range(3)}
