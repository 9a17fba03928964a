"""Dashboard panel SQL and the month's reports (``--by queue``, ``agent``, ``queue,interval``) on facts made in SQL.

The facts (``--facts``, 50 million in the issue) are generated with
``numbers()`` into a dedicated database (``pipeline.bench.fact_generator``), then the
15-minute ``queue_intervals`` are rebuilt from them with the worker's own code.
Every ClickHouse query of every dashboard is run after Grafana's
substitutions (``pipeline.dashboards.macros``) over the dashboard's default
range ending at the newest contact ("now"), and ``build_report`` over the whole
month by queue, by agent and by queue and 30-minute interval (``REPORTS``).

Baselines in the same run: a plain scan of the same rows without FINAL and
without the repeat-contact join (what the wallboard's number would cost from
the facts), and a hand-written sum over ``queue_intervals`` (the wallboard
panel itself reads that table since it stopped scanning the facts, so the two
should match: the panel's SQL adds nothing to the table read).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pipeline.bench.harness import Target, drop_database, fresh_name, median
from pipeline.bench.fact_generator import QUEUES, Shape, generate_facts
from pipeline.core import intervals
from pipeline.core.kpi import percentile
from pipeline.dashboards import json_files
from pipeline.dashboards import grafana as g
from pipeline.dashboards.macros import substitute
from pipeline.dashboards.walk import sql_queries
from pipeline.payroll.model import Month
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import Settings
from pipeline.store import agent_time_blocks, probes, queue_intervals
from pipeline.store.interval_sql import interval_start_sql
from pipeline.store.store import Store

DAY_MS = 86_400_000
WALLBOARD = "wallboard"


@dataclass
class PanelTiming:
    dashboard: str
    title: str
    samples_ms: list[float] = field(default_factory=list)
    error: str = ""  # the server's message when the query failed

    @property
    def p50_ms(self) -> float | None:
        """None when the panel failed before its first sample."""
        return percentile(self.samples_ms, 0.50)

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.samples_ms, 0.95)


@dataclass
class ReportTiming:
    """``build_report`` over the month, and a plain GROUP BY of the same rows (no FINAL, no FCR) beside it."""

    by: str
    report_s: list[float] = field(default_factory=list)
    baseline_s: list[float] = field(default_factory=list)
    error: str = ""  # the server's message when the report failed (memory limit at 50M facts before issue 13)


# the month's reports the bench times: --by and --interval
REPORTS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("queue",), None), (("agent",), None), (("queue", "interval"), "30m"),
)


def _plain_group_by(db: str, settings: Settings, by: tuple[str, ...], interval: str | None, start_ms: int,
                    end_ms: int) -> str:
    columns = {"queue": "queue", "agent": "agent_id",
               "interval": interval_start_sql("offered_ms", interval or "1d", settings.tz)}
    return probes.plain_group_by(db, {b: columns[b] for b in by}, start_ms, end_ms)


@dataclass
class QueryResult:
    facts: int
    generate_s: float = 0.0
    intervals_rebuild_s: float = 0.0
    agent_time_lay_s: float = 0.0  # the month's agent time laid and kept once (agent_time_blocks), before the reports
    panels: list[PanelTiming] = field(default_factory=list)
    reports: list[ReportTiming] = field(default_factory=list)
    wallboard_baseline_ms: list[float] = field(default_factory=list)
    wallboard_from_intervals_ms: list[float] = field(default_factory=list)

    @property
    def by_queue(self) -> ReportTiming:
        return next((r for r in self.reports if r.by == "queue"), ReportTiming("queue"))

    def slowest_panel_p95_ms(self) -> float | None:
        """The largest p95 of any dashboard panel; None when a panel failed (a failure is not fast)."""
        if any(p.error or p.p95_ms is None for p in self.panels):
            return None
        return max((p.p95_ms for p in self.panels if p.p95_ms is not None), default=None)

    def wallboard_p95_ms(self) -> float | None:
        samples = [s for p in self.panels if p.dashboard.startswith(WALLBOARD) for s in p.samples_ms]
        return percentile(samples, 0.95)


def _ms(value: float | None) -> str:
    return "no samples" if value is None else f"{value:.0f} ms"


def _error(exc: Exception) -> str:
    """The server's message on one line, without its stack trace: clickhouse-driver puts "Code: 241." and the
    text ("Memory limit (for query) exceeded ...") on separate lines, and the first alone says nothing."""
    return " ".join(str(exc).split()).split(" Stack trace:")[0][:300] or type(exc).__name__


def _range(model: g.JSON, now_ms: int, month: tuple[int, int], day_start_ms: int) -> tuple[int, int]:
    """The dashboard's default time range with "now" at the newest contact."""
    frm = model["time"]["from"]
    if frm == "now/M":
        return month
    if frm.startswith("now-") and frm.endswith("h"):
        return now_ms - int(frm[4:-1]) * 3_600_000, now_ms
    return day_start_ms, now_ms  # now/d and anything else: today


def _repeat(fn: Callable[[], Any], samples: list[float], *, at_least: int, at_most: int, budget_s: float,
            scale: float = 1000.0) -> None:
    fn()  # warm-up: caches, first connection
    began = time.perf_counter()
    for i in range(at_most):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * scale)
        if i + 1 >= at_least and time.perf_counter() - began > budget_s:
            break


def run(target: Target, settings: Settings, facts: int, runs: int, keep: bool = False,
        log: Callable[[str], None] = lambda s: None) -> QueryResult:
    month = Month(2026, 11)
    start_ms, end_ms = month.range_ms(settings.zone)
    shape = Shape(contacts=facts, start_ms=start_ms, span_ms=end_ms - start_ms)
    database = fresh_name("bench_query")
    store = Store.open(target.store_url(database))
    result = QueryResult(facts)
    try:
        began = time.perf_counter()
        generate_facts(store, shape, lambda n: log(f"  generated {n:,} of {facts:,} contact facts"))
        result.generate_s = time.perf_counter() - began
        began = time.perf_counter()
        queue_intervals.refresh(store, settings, intervals.starts(start_ms, end_ms, "15m", settings.zone))
        result.intervals_rebuild_s = time.perf_counter() - began
        log(f"  facts in {result.generate_s:.1f} s, queue_intervals rebuilt in {result.intervals_rebuild_s:.1f} s")
        began = time.perf_counter()
        agent_time_blocks.agent_time(store, settings, start_ms, end_ms, daily=True)
        result.agent_time_lay_s = time.perf_counter() - began
        log(f"  the month's agent time laid and kept in {result.agent_time_lay_s:.1f} s (once; reports read it)")

        now_ms = probes.newest_offered_ms(store.engine, database)
        day_start = now_ms - (now_ms - start_ms) % DAY_MS  # local midnight: the month starts at one
        queues = list(QUEUES)
        at_most = max(runs, 20)
        for name, model in json_files.build_all(settings).items():
            lo, hi = _range(model, now_ms, (start_ms, end_ms), day_start)
            for title, sql in sql_queries(model):
                timing = PanelTiming(name.removesuffix(".json"), title)
                per_queue = [[q] for q in queues] if "${queue}" in sql else [queues]
                try:
                    for selected in per_queue:
                        text = substitute(sql, database=database, start_ms=lo, end_ms=hi, queues=selected)
                        _repeat(partial(store.engine.query, text), timing.samples_ms, at_least=runs,
                                at_most=at_most, budget_s=20.0 / len(per_queue))
                except Exception as exc:  # noqa: BLE001 - a failing panel (e.g. over the memory limit) is a result
                    timing.error = _error(exc)
                result.panels.append(timing)
                log(f"  {timing.dashboard}: {title}: p50 {_ms(timing.p50_ms)}, p95 {_ms(timing.p95_ms)}"
                    + (f"; FAILED: {timing.error}" if timing.error else ""))

        db = database
        plain = probes.queue_aht_from_facts(db, "billing", day_start, now_ms)
        _repeat(lambda: store.engine.query(plain), result.wallboard_baseline_ms, at_least=runs, at_most=at_most,
                budget_s=10.0)
        from_intervals = probes.queue_aht_from_intervals(db, "billing", day_start, now_ms)
        _repeat(lambda: store.engine.query(from_intervals), result.wallboard_from_intervals_ms, at_least=runs,
                at_most=at_most, budget_s=10.0)

        for by, interval in REPORTS:
            name = ",".join(by) + (f" --interval {interval}" if interval else "")
            timing = ReportTiming(name)
            request = ReportRequest(start_ms, end_ms, by=by, interval=interval or "1d")
            for _ in range(runs):
                if not timing.error:
                    t0 = time.perf_counter()
                    try:
                        build_report(store, request, settings)
                        timing.report_s.append(time.perf_counter() - t0)
                    except Exception as exc:  # noqa: BLE001 - like a failing panel: a result, not the end of the bench
                        timing.error = _error(exc)
                        log(f"  report --by {name} FAILED: {timing.error}")
                t0 = time.perf_counter()
                store.engine.query(_plain_group_by(db, settings, by, interval, start_ms, end_ms))
                timing.baseline_s.append(time.perf_counter() - t0)
            result.reports.append(timing)
            if timing.report_s:
                log(f"  report --by {name}: median {median(timing.report_s):.2f} s "
                    f"(plain GROUP BY {median(timing.baseline_s):.2f} s)")
        return result
    finally:
        store.close()
        if not keep:
            drop_database(target, database)
