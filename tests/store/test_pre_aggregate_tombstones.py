"""A key that loses its last contact reads as nothing from the pre-aggregates, as it does from the facts.

Hand-worked cases (times after 09:00 Asia/Shanghai on 2 November 2026):

* contact ``m`` is offered to ``billing`` at 09:20 and answered by ``a3``;
  a later batch brings an earlier offer (another event id) to ``sales`` at
  09:05 and an earlier answer by ``a4``.  The contact is then a ``sales``
  contact of the 09:00 interval answered by ``a4`` (the earliest offer and
  answer win, docs/design.md section 3's merge rule).  ``billing``'s 09:15
  row and ``a3``'s rows must read as nothing: before tombstones they kept
  offered 1 / answered 1.
* contact ``k`` stays in ``support`` at 09:40, answered by ``a1``: a key that
  keeps its contact keeps its counts.

Expected over the week (a range read from the pre-aggregates): by queue,
``sales`` offered 1 answered 1 and ``support`` offered 1 answered 1, no
``billing``; by agent, ``a4`` answered 1 and ``a1`` answered 1, no ``a3``.
"""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.core.intervals import parse_instant
from pipeline.report import build
from pipeline.report.build import ReportRequest
from pipeline.settings import load_settings
from pipeline.store import panel_sql, reads, report_reads
from pipeline.store.store import Store
from tests.fixtures.events import answered, ended, offered
from tests.fixtures.stores import ingest

SETTINGS = load_settings(tz="Asia/Shanghai")
START, END = "2026-11-01", "2026-11-08"


@pytest.fixture
def moved_store(store: Store) -> Store:
    ingest(store, [offered("m", 20 * 60), answered("m", 20 * 60 + 10, "a3"), ended("m", 25 * 60),
                   offered("k", 40 * 60, queue="support"), answered("k", 40 * 60 + 5, "a1"), ended("k", 45 * 60)],
           SETTINGS)
    ingest(store, [offered("m", 5 * 60, queue="sales"), answered("m", 5 * 60 + 8, "a4")], SETTINGS)
    return store


def _report(store: Store, by: tuple[str, ...], *, facts: bool, monkeypatch: pytest.MonkeyPatch) -> dict[Any, Any]:
    request = ReportRequest(parse_instant(START, SETTINGS.zone), parse_instant(END, SETTINGS.zone), by=by)
    with monkeypatch.context() as patch:
        if facts:
            patch.setattr(report_reads, "pre_aggregate_table", lambda _request, _settings: None)
        else:
            assert report_reads.pre_aggregate_table(request, SETTINGS) is not None
        report = build.build(store, request, SETTINGS)
    return {row[build.KEY_NAMES[by[0]]]: (row["offered"], row["answered"]) for row in report.rows}


@pytest.mark.parametrize("facts", [False, True], ids=["pre-aggregates", "facts"])
def test_a_queue_that_lost_its_contact_has_no_row(moved_store: Store, facts: bool,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert _report(moved_store, ("queue",), facts=facts, monkeypatch=monkeypatch) == {
        "sales": (1, 1), "support": (1, 1)}


@pytest.mark.parametrize("facts", [False, True], ids=["pre-aggregates", "facts"])
def test_an_agent_that_lost_its_answer_has_no_row(moved_store: Store, facts: bool,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _report(moved_store, ("agent",), facts=facts, monkeypatch=monkeypatch)
    assert {agent: answered_ for agent, (_offered, answered_) in rows.items()} == {"a4": 1, "a1": 1}


def test_the_old_interval_reads_as_nothing(moved_store: Store) -> None:
    result = moved_store.engine.query(
        f"SELECT toUInt32(interval_start) AS at, queue, offered FROM {moved_store.db}.queue_intervals FINAL "
        f"WHERE offered > 0 ORDER BY at")
    nine = parse_instant("2026-11-02T09:00", SETTINGS.zone) // 1000
    assert list(zip((int(t) - nine for t in result["at"]), result["queue"], result["offered"])) == [
        (0, "sales", 1), (30 * 60, "support", 1)]


def test_the_queue_variable_lists_queues_with_contacts(moved_store: Store) -> None:
    sql = panel_sql.queue_names().replace(panel_sql.DB, moved_store.db)
    assert list(moved_store.engine.query(sql)["queue"]) == ["sales", "support"]


def test_a_day_built_with_two_thresholds_is_not_read_as_current(store: Store,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``a1`` answers at 09:00 under a 30 s threshold and at 11:00 after it became 20 s: the day's row
    mixes both, so neither setting reads it (the report reads the facts, and says the same)."""
    old, new = SETTINGS, load_settings(tz="Asia/Shanghai", queues={"billing": {"sl_threshold_s": 20}})
    ingest(store, [offered("x", 0), answered("x", 25, "a1"), ended("x", 60)], old)
    ingest(store, [offered("y", 7200), answered("y", 7225, "a1"), ended("y", 7260)], new)
    start, end = parse_instant(START, SETTINGS.zone), parse_instant(END, SETTINGS.zone)
    built = store.engine.query(f"SELECT built_with FROM {store.db}.agent_days FINAL WHERE agent_id = 'a1'")
    assert list(built["built_with"]) == ["mixed"]
    for settings in (old, new):
        assert not reads.intervals_current(store, settings, "agent_days", start, end)
    request = ReportRequest(start, end, by=("agent",))
    # under the new threshold (20 s) x, answered in 25 s, is outside it and y too: service level 0
    (row,) = build.build(store, request, new).rows
    assert (row["answered"], row["service_level"]) == (2, 0.0)
