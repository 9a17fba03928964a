"""The whole bench: each part in turn, medians of ``runs``, every speed beside its same-run baseline.

``run_suite`` returns the ``bench/results.json`` document: the flat keys the
issue names (numbers, comparable across commits) plus a ``details`` section
with every sample.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.bench import importers, latency, payroll_rollup, queries, replay_speed, stream, web
from pipeline.bench.harness import Target, cckpi_command, cli_env, commit, fresh_name, machine, median, rounded
from pipeline.core.kpi import percentile
from pipeline.settings import load_settings

PARTS = ("stream", "latency", "replay", "queries", "payroll", "import", "web")
# only with --only, on the cluster (`cckpi stack up --cluster`; `eval "$(cckpi stack env --cluster)"`)
CLUSTER_PARTS = ("scale", "broker")
EVENTS_PER_CONTACT = 9.15  # the simulator's mix: 110k contacts over 30 days make ~1.007M events


@dataclass(frozen=True)
class Options:
    events: int = 1_000_000
    runs: int = 3
    facts: int = 50_000_000
    payroll_contacts: int = 2_000_000
    payroll_agents: int = 2000
    rate: float = 5000.0
    latency_seconds: float = 20.0
    parts: tuple[str, ...] = PARTS
    work: Path = Path("/tmp/cckpi-bench")
    queue_log_lines: int = 1_000_000
    cdr_records: int = 1_000_000


def simulated_events(options: Options) -> Path:
    """The simulated file for ``events`` (cached by size in the work folder)."""
    contacts = max(10, round(options.events / EVENTS_PER_CONTACT))
    path = options.work / f"events-{contacts}.jsonl"
    if not path.exists():
        options.work.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        subprocess.run([*cckpi_command(), "simulate", "--contacts", str(contacts), "--days", "30", "--seed", "9",
                        "--out", str(partial)], check=True, capture_output=True, env=cli_env())
        partial.rename(path)
    return path


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def run_suite(options: Options, log: Callable[[str], None] = print,
              on_part: Callable[[dict[str, Any]], None] = lambda results: None) -> dict[str, Any]:
    """Every part in ``options.parts``; ``on_part`` gets the results so far after each (a long run that is
    stopped half-way keeps what it measured)."""
    target = Target.from_env()
    settings = load_settings()
    results: dict[str, Any] = {"commit": commit(), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               "options": {k: (str(v) if isinstance(v, Path) else v)
                                           for k, v in options.__dict__.items()},
                               "machine": machine(target)}
    details: dict[str, Any] = {"load_average": [_load("start")]}
    path = simulated_events(options) if {"stream", "latency", "replay", "scale"} & set(options.parts) else None

    if "stream" in options.parts and path is not None:
        prefix = fresh_name("bench_stream")
        log(f"stream: filling {prefix}.events with {path.name}")
        n = stream.fill_topic(target, prefix, path)
        expected = stream.expected_events(path)
        bare, workers, ratios = [], [], []
        for run in range(options.runs):
            bare.append(stream.bare_consumer(target, prefix, n))
            worker = stream.run_worker(target, prefix, expected, n)
            workers.append(worker)
            ratios.append(worker.events_per_s / bare[-1])
            log(f"  run {run + 1}: bare {bare[-1]:,.0f}/s, worker {worker.events_per_s:,.0f}/s "
                f"({worker.seconds:.1f} s, start-up {worker.startup_s:.1f} s), peak RSS {worker.peak_rss_mb:.0f} MB")
        results.update(
            stream_events=n,
            stream_distinct_events=expected,
            worker_events_per_s=round(median([w.events_per_s for w in workers])),
            bare_consumer_events_per_s=round(median(bare)),
            worker_vs_bare_ratio=round(median(ratios), 3),
            worker_peak_rss_mb=round(max(w.peak_rss_mb for w in workers), 1),
        )
        details["stream"] = {"bare_events_per_s": bare, "worker": [w.__dict__ for w in workers]}
        _part_done("stream", details, on_part, results)

    if "latency" in options.parts and path is not None:
        log(f"latency: {options.runs} phases of {options.latency_seconds:g} s at {options.rate:,.0f} events/s")
        lat = latency.run(target, path, options.rate, options.latency_seconds, options.runs)
        for i, phase in enumerate(lat.phases, 1):
            log(f"  phase {i}: p50 {phase.p50_s:.2f} s, p95 {phase.p95_s:.2f} s, p99 {phase.p99_s:.2f} s "
                f"(bare consumer p50 {phase.bare_p50_s:.3f} s, p95 {phase.bare_p95_s:.3f} s), {phase.sent:,} sent")
        results.update(
            e2e_rate_events_per_s=options.rate,
            e2e_latency_p50_s=round(lat.median_of("p50_s"), 3),
            e2e_latency_p95_s=round(lat.median_of("p95_s"), 3),
            e2e_latency_p99_s=round(lat.median_of("p99_s"), 3),
            e2e_bare_consumer_p95_s=round(lat.median_of("bare_p95_s"), 3),
        )
        details["latency"] = [p.__dict__ for p in lat.phases]
        _part_done("latency", details, on_part, results)

    if "replay" in options.parts and path is not None:
        log(f"replay: {path.name} into chDB and ClickHouse, {options.runs} runs each")
        rep = replay_speed.run(target, path, options.runs)
        log(f"  chDB {median(rep.chdb_s):.1f} s, ClickHouse {median(rep.clickhouse_s):.1f} s, "
            f"decode only {median(rep.decode_s):.2f} s for {rep.events:,} events")
        results.update(
            replay_events=rep.events,
            replay_chdb_1m_s=round(replay_speed.per_million(rep.chdb_s, rep.events), 2),
            replay_clickhouse_1m_s=round(replay_speed.per_million(rep.clickhouse_s, rep.events), 2),
            replay_decode_only_1m_s=round(replay_speed.per_million(rep.decode_s, rep.events), 2),
            replay_chdb_vs_decode_ratio=round(median(rep.decode_s) / median(rep.chdb_s), 3),
            replay_clickhouse_vs_decode_ratio=round(median(rep.decode_s) / median(rep.clickhouse_s), 3),
        )
        details["replay"] = rep.__dict__
        _part_done("replay", details, on_part, results)

    if "queries" in options.parts:
        log(f"queries: {options.facts:,} contact facts generated in SQL")
        q = queries.run(target, settings, options.facts, options.runs, log=log)
        results.update(
            query_facts=options.facts,
            query_facts_generate_s=round(q.generate_s, 1),
            wallboard_query_p95_ms=rounded(q.wallboard_p95_ms(), 1),
            dashboard_panels_p95_ms=rounded(q.slowest_panel_p95_ms(), 1),
            wallboard_plain_scan_p95_ms=rounded(_p95(q.wallboard_baseline_ms), 1),
            wallboard_from_queue_intervals_p95_ms=rounded(_p95(q.wallboard_from_intervals_ms), 1),
            report_50m_s=rounded(median(q.by_queue.report_s), 2),
            report_plain_group_by_s=rounded(median(q.by_queue.baseline_s), 3),
            report_by_agent_s=rounded(median(_by(q, "agent").report_s), 2),
            report_by_agent_plain_group_by_s=rounded(median(_by(q, "agent").baseline_s), 3),
            agent_time_lay_s=rounded(q.agent_time_lay_s, 1),
            report_by_queue_interval_30m_s=rounded(median(_by(q, "queue,interval --interval 30m").report_s), 2),
            report_by_queue_interval_30m_plain_group_by_s=rounded(
                median(_by(q, "queue,interval --interval 30m").baseline_s), 3),
        )
        details["queries"] = {
            "panels": [{"dashboard": p.dashboard, "title": p.title, "p50_ms": rounded(p.p50_ms, 1),
                        "p95_ms": rounded(p.p95_ms, 1), "samples": len(p.samples_ms), "error": p.error}
                       for p in q.panels],
            "reports": [r.__dict__ for r in q.reports],
            "queue_intervals_rebuild_s": q.intervals_rebuild_s,
        }
        _part_done("queries", details, on_part, results)

    if "payroll" in options.parts:
        log(f"payroll: {options.payroll_agents:,} agents, {options.payroll_contacts:,} contacts in a month")
        pay = payroll_rollup.run(target, settings, options.payroll_agents, options.payroll_contacts, options.runs)
        log(f"  rollup median {median(pay.rollup_s):.2f} s for {pay.rows:,} agents")
        results.update(
            payroll_agents=options.payroll_agents,
            payroll_contacts=options.payroll_contacts,
            payroll_rollup_s=round(median(pay.rollup_s), 2),
            payroll_rollup_first_s=round(pay.rollup_s[0], 2),  # the month's agent time laid (then kept)
            payroll_plain_group_by_s=round(median(pay.baseline_s), 3),
        )
        details["payroll"] = pay.__dict__
        _part_done("payroll", details, on_part, results)

    if "import" in options.parts:
        log(f"import: cckpi import asterisk-queue-log of {options.queue_log_lines:,} lines, {options.runs} runs")
        imp = importers.run(options.work, options.queue_log_lines, options.runs)
        results.update(_import_figures("import_queue_log", "lines", "import_read_split_lines_per_s",
                                       "import_vs_read_split_ratio", imp, log))
        details["import"] = imp.__dict__
        log(f"import: cckpi import freeswitch-cdr of {options.cdr_records:,} CSV records, {options.runs} runs")
        cdr = importers.run_freeswitch(options.work, options.cdr_records, options.runs)
        results.update(_import_figures("import_freeswitch_cdr", "records", "import_freeswitch_read_split_lines_per_s",
                                       "import_freeswitch_vs_read_split_ratio", cdr, log))
        details["import_freeswitch_cdr"] = cdr.__dict__
        _part_done("import", details, on_part, results)
    for part in CLUSTER_PARTS:
        if part in options.parts:
            _cluster_part(part, options, target, settings, path, results, details, log)
            _part_done(part, details, on_part, results)
    if "web" in options.parts:
        log(f"web: cckpi serve's API on {options.facts:,} contact facts, then event -> /api/live on the stack")
        served = web.WebResult(options.facts)
        web.api_on_facts(target, settings, options.facts, options.runs, served, log=log)
        web.event_to_screen(target, 5 * options.runs, served, log=log)
        results.update(
            web_facts=options.facts,
            web_live_p95_ms=rounded(served.p95("live"), 1),
            web_contacts_day_p95_ms=rounded(served.p95("contacts_day"), 1),
            web_contacts_month_p95_ms=rounded(served.p95("contacts_month"), 1),
            web_contacts_month_page5_p95_ms=rounded(served.p95("contacts_month_page5"), 1),
            web_event_to_live_p95_s=rounded(_p95(served.event_to_screen_s), 2),
        )
        details["web"] = served.__dict__
        _part_done("web", details, on_part, results)

    results["details"] = details
    return results


def _cluster_part(part: str, options: Options, target: Target, settings: Any, path: Path | None,
                  results: dict[str, Any], details: dict[str, Any], log: Callable[[str], None]) -> None:
    """Workers 1..3 of one group on the cluster, or the acknowledgement pause when a broker dies."""
    from pipeline.bench import scale_out

    if part == "scale" and path is not None:
        log(f"scale: 1, 2 and 3 workers on {path.name}, {options.runs} runs each")
        scaling = scale_out.workers_scaling(target, path, (1, 2, 3), options.runs, log)
        for workers, rates in scaling.by_workers.items():
            results[f"cluster_{workers}_workers_events_per_s"] = round(median(rates))
        details["scale"] = scaling.__dict__
    if part == "broker":
        log(f"broker: kill the partition leader while producing {options.rate:,.0f} messages/s")
        failover = scale_out.broker_failover(settings, options.rate, before_s=5, after_s=15, log=log)
        log(f"  {failover.sent:,} sent, {failover.read_back:,} read back, {failover.errors} send errors; "
            f"longest ack gap {failover.pause_s:.2f} s (before the kill {failover.normal_gap_s:.3f} s)")
        if failover.read_back != failover.sent or failover.errors:
            raise RuntimeError(f"broker failover lost messages: {failover}")
        results.update(broker_kill_ack_pause_s=round(failover.pause_s, 2), broker_kill_lost_messages=0)
        details["broker"] = failover.__dict__


def _load(after: str) -> dict[str, Any]:
    """The 1- and 5-minute load averages: whether the machine was quiet is a fact of the run, not a claim."""
    one, five, _ = os.getloadavg()
    return {"after": after, "at": time.strftime("%H:%M:%SZ", time.gmtime()), "load1": one, "load5": five}


def _part_done(part: str, details: dict[str, Any], on_part: Callable[[dict[str, Any]], None],
               results: dict[str, Any]) -> None:
    """The load average after ``part``, then the results so far to ``on_part``."""
    details["load_average"].append(_load(part))
    on_part({**results, "details": details})


def _by(q: queries.QueryResult, by: str) -> queries.ReportTiming:
    return next((r for r in q.reports if r.by == by), queries.ReportTiming(by))


def _p95(values: list[float]) -> float | None:
    """The core's percentile (linear, q in 0..1); None when nothing was measured."""
    return percentile(values, 0.95)


def _import_figures(prefix: str, unit: str, split_key: str, ratio_key: str, imp: Any,
                    log: Callable[[str], None]) -> dict[str, Any]:
    """An importer's figures (``{prefix}_{unit}``, its rate, per CPU second) against reading and splitting the
    same file; the key names are the ones bench/results.json has always had."""
    rate, split_rate = imp.lines / median(imp.import_s), imp.lines / median(imp.read_split_s)
    per_cpu = imp.lines / median(imp.import_cpu_s)
    log(f"  import {rate:,.0f} {unit}/s ({per_cpu:,.0f} per CPU s), read + split {split_rate:,.0f} lines/s "
        f"({imp.lines:,} {unit})")
    return {f"{prefix}_{unit}": imp.lines, f"{prefix}_{unit}_per_s": round(rate), split_key: round(split_rate),
            ratio_key: round(rate / split_rate, 3), f"{prefix}_{unit}_per_cpu_s": round(per_cpu)}
