"""Every ClickHouse query of every dashboard, run on a store holding a replayed simulated day.

Grafana's variables and the plugin's macros are substituted for a fixed range
(one local day), then each query must return rows whose numbers equal
``cckpi report`` for the same range (``build_report``).  Runs on chDB and, in
``make test``, on the ClickHouse 18.16 server of the local stack.

The range starts and ends at local midnight, a 15-minute boundary, so the
wallboard's panel over ``queue_intervals`` (whole intervals starting in the
range) must give exactly the report's number too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from pipeline.core import intervals
from pipeline.core.intervals import parse_instant
from pipeline.dashboards import export
from pipeline.store import panel_sql
from pipeline.settings import Settings, load_settings
from pipeline.simulate.config import SimulationConfig
from pipeline.simulate.engine import generate
from pipeline.store import queue_intervals
from pipeline.store.store import Store
from pipeline.dashboards.macros import substitute
from pipeline.dashboards.walk import sql_queries
from tests.fixtures.stores import ingest, report

DAY, NEXT_DAY = "2026-11-02", "2026-11-03"
Row = dict[str, Any]


@pytest.fixture
def settings() -> Settings:
    """billing has its own threshold and abandon mode, so the per-queue transform() path is checked too."""
    billing = {"sl_threshold_s": 20, "sl_abandon_mode": "count_against"}
    return load_settings(tz="Asia/Shanghai", queues={"billing": billing})


@pytest.fixture
def day_store(store: Store, settings: Settings) -> Store:
    """The simulated day in the facts and in ``queue_intervals`` (rebuilt as replay and the worker do)."""
    ingest(store, list(generate(SimulationConfig(contacts=2000, seed=5, tz="Asia/Shanghai"))))
    span = store.engine.query(f"SELECT min(offered_ms) AS lo, max(offered_ms) AS hi "
                              f"FROM {store.db}.contact_facts FINAL WHERE has_offered")
    queue_intervals.refresh(store, settings, intervals.starts(int(span["lo"][0]), int(span["hi"][0]) + 1, "15m",
                                                              settings.zone))
    return store


def _rows(store: Store, sql: str, settings: Settings, queues: list[str]) -> list[Row]:
    start, end = parse_instant(DAY, settings.zone), parse_instant(NEXT_DAY, settings.zone)
    result = store.engine.query(substitute(sql, database=store.db, start_ms=start, end_ms=end, queues=queues))
    count = len(next(iter(result.values()), []))
    return [{name: values[i] for name, values in result.items()} for i in range(count)]


def _epoch(value: Any) -> int:
    """An interval start as epoch seconds: chDB gives ints, clickhouse-driver datetimes, the report ISO text."""
    if isinstance(value, str):
        return int(datetime.fromisoformat(value).timestamp())
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp())
    return int(value)


def _same(got: Any, want: Any) -> bool:
    if got is None or want is None:
        return got is None and want is None
    return abs(float(got) - float(want)) <= 1e-9 * max(1.0, abs(float(want)))


def _compare(rows: list[Row], expected: list[Row], key: Callable[[Row], Any], title: str,
             subset: bool = False) -> int:
    """Every metric column of ``rows`` equals the report row with the same key; returns values compared."""
    want = {key(r): r for r in expected}
    got = {key(r): r for r in rows}
    assert got, f"{title}: no rows"
    if subset:
        assert set(got) <= set(want), f"{title}: rows the report lacks: {set(got) - set(want)}"
    else:
        assert set(got) == set(want), f"{title}: keys differ: {set(got) ^ set(want)}"
    compared = 0
    for k, row in got.items():
        for column, value in row.items():
            if column in want[k] and column not in ("queue", "agent_id", "interval_start"):
                assert _same(value, want[k][column]), f"{title} {k} {column}: panel {value}, report {want[k][column]}"
                compared += 1
    return compared


# the wallboard's "today" stats (one metric of one queue since midnight, from queue_intervals) -> report key
TODAY_PANELS = {"AHT today": "aht_s", "Answered today": "answer_rate"}


def test_every_panel_query_runs_and_agrees_with_the_report(day_store: Store, settings: Settings) -> None:
    by_queue = report(day_store, DAY, NEXT_DAY, settings, by=("queue",))
    queues = sorted(r["queue"] for r in by_queue)
    assert len(queues) == 4
    by_agent = report(day_store, DAY, NEXT_DAY, settings, by=("agent",))
    by_interval = {iv: report(day_store, DAY, NEXT_DAY, settings, by=("queue", "interval"), interval=iv)
                   for iv in ("15m", "30m")}
    queue_key: Callable[[Row], Any] = lambda r: r["queue"]  # noqa: E731
    interval_key: Callable[[Row], Any] = lambda r: (r["queue"], _epoch(r["interval_start"]))  # noqa: E731

    checked: dict[str, int] = {}
    for name, model in export.build_all(settings).items():
        for title, sql in sql_queries(model):
            label = f"{name}: {title}"
            if title in TODAY_PANELS:
                # once per wallboard row: billing's literal row and the repeated row per queue
                key = TODAY_PANELS[title]
                for queue in (["billing"] if "${queue}" not in sql else queues):
                    rows = _rows(day_store, sql, settings, [queue])
                    want = next(r for r in by_queue if r["queue"] == queue)
                    assert len(rows) == 1 and _same(rows[0][key], want[key]), (label, queue, rows)
                checked[label] = checked.get(label, 0) + 1
                continue
            rows = _rows(day_store, sql, settings, queues)
            assert rows, f"{label}: no rows"
            if title == "variable queue":
                assert [r["queue"] for r in rows] == queues
                checked[label] = len(rows)
            elif title == "Queues over the period":
                checked[label] = _compare(rows, by_queue, queue_key, label)
            elif title in ("15-minute intervals", "30-minute intervals"):
                checked[label] = _compare(rows, by_interval[title[:2] + "m"], interval_key, label)
            elif title == "Service level by 30 minutes":
                renamed = [{"queue": r["queue"], "interval_start": r["time"], "service_level": r["service_level"]}
                           for r in rows]
                checked[label] = _compare(renamed, by_interval["30m"], interval_key, label)
            elif title == "Agents":
                checked[label] = _compare(rows, by_agent, lambda r: r["agent_id"], label, subset=True)
                answering = {r["agent_id"] for r in by_agent if r["answered"]}
                assert answering == {r["agent_id"] for r in rows}
            elif title == "Quality evaluations":
                evaluated = [r for r in by_agent if r["qa_avg"] is not None]
                checked[label] = _compare(rows, evaluated, lambda r: r["agent_id"], label)
            else:
                pytest.fail(f"{label}: no agreement check for this panel; add one")
    assert all(checked.values()), checked
    expected_titles = {"AHT today", "Answered today", "variable queue", "Queues over the period", "15-minute intervals",
                       "30-minute intervals", "Service level by 30 minutes", "Agents", "Quality evaluations"}
    assert {label.split(": ", 1)[1] for label in checked} == expected_titles


def test_wallboard_today_panel_reads_queue_intervals_not_the_facts(settings: Settings) -> None:
    """The facts are not ordered by time: a panel over them scans every contact on each 10 s refresh."""
    model = export.build_all(settings)["wallboard.json"]
    today = [query for title, query in sql_queries(model) if title in TODAY_PANELS]
    assert len(today) == 2 * len(TODAY_PANELS)  # billing's own row and the repeated row, per panel
    for query in today:
        assert "${database}.queue_intervals FINAL" in query
        assert "contact_facts" not in query
        assert "interval_start >= $__fromTime AND interval_start < $__toTime" in query
        assert "direction = 'inbound'" in query


def test_interval_metric_refuses_a_metric_queue_intervals_cannot_give() -> None:
    """fcr_rate depends on later contacts, so it is not in queue_intervals: an error, never a wrong number."""
    with pytest.raises(ValueError, match="fcr_resolved"):
        panel_sql.interval_metric("fcr_rate", [])
    assert "sum(sl_numerator) AS sl_numerator" in panel_sql.interval_metric("service_level", [])


def test_interval_panel_counts_whole_intervals_starting_in_the_range(day_store: Store, settings: Settings) -> None:
    """The documented choice: a range starting mid-interval skips that interval's contacts; one ending
    mid-interval counts all of the last interval's contacts (for "today", midnight to now, both are exact)."""
    query = panel_sql.interval_metric("offered", [])
    start = parse_instant(DAY + "T10:00", settings.zone)

    def offered(start_ms: int, end_ms: int) -> int:
        text = substitute(query, database=day_store.db, start_ms=start_ms, end_ms=end_ms, queues=[])
        return int(day_store.engine.query(text)["offered"][0])

    whole = offered(start, start + 900_000)
    assert whole == sum(r["offered"] for r in report(day_store, DAY + "T10:00", DAY + "T10:15", settings))
    assert whole > 0
    assert offered(start + 60_000, start + 900_000) == 0  # 10:01-10:15: no interval starts in it
    assert offered(start, start + 60_000) == whole  # 10:00-10:01: the whole 10:00 interval
