"""``cckpi bench``: throughput, latency and query speed on the local stack (bench/results.json)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

# key -> (label, target, higher is better); the targets are issue 26's where it sets one
TARGETS: dict[str, tuple[str, float | None, bool]] = {
    "worker_events_per_s": ("worker throughput, events/s", 100_000, True),
    "bare_consumer_events_per_s": ("bare aiokafka read + decode, events/s", None, True),
    "worker_vs_bare_ratio": ("worker / bare consumer", 0.3, True),
    "worker_peak_rss_mb": ("worker peak RSS, MB", 500, False),
    "e2e_latency_p50_s": ("ts -> stored p50, s", None, False),
    "e2e_latency_p95_s": ("ts -> stored p95, s", 1.0, False),
    "e2e_latency_p99_s": ("ts -> stored p99, s", None, False),
    "e2e_bare_consumer_p95_s": ("ts -> bare consumer p95, s", None, False),
    "replay_chdb_1m_s": ("replay 1M into chDB, s", 10, False),
    "replay_clickhouse_1m_s": ("replay 1M into ClickHouse, s", 10, False),
    "replay_decode_only_1m_s": ("read + decode 1M lines, s", None, False),
    "wallboard_query_p95_ms": ("wallboard SQL panels p95, ms", 100, False),
    "wallboard_plain_scan_p95_ms": ("same rows, plain scan p95, ms", None, False),
    "wallboard_from_queue_intervals_p95_ms": ("same number from queue_intervals p95, ms", None, False),
    "report_50m_s": ("report --by queue, month, s", 10, False),
    "report_plain_group_by_s": ("plain GROUP BY queue, s", None, False),
    "report_by_agent_s": ("report --by agent, month, s", 10, False),
    "report_by_agent_plain_group_by_s": ("plain GROUP BY agent, s", None, False),
    "agent_time_lay_s": ("the month's agent time laid once, s", None, False),
    "report_by_queue_interval_30m_s": ("report --by queue,interval 30m, month, s", 10, False),
    "report_by_queue_interval_30m_plain_group_by_s": ("plain GROUP BY queue, 30 min, s", None, False),
    "dashboard_panels_p95_ms": ("slowest dashboard panel p95, ms", 1000, False),
    "payroll_rollup_s": ("payroll rollup, s", 10, False),
    "payroll_rollup_first_s": ("payroll rollup, first run (lays agent time), s", None, False),
    "payroll_plain_group_by_s": ("plain GROUP BY agent, s", None, False),
    "import_queue_log_lines_per_s": ("import asterisk-queue-log, lines/s", 300_000, True),
    "import_read_split_lines_per_s": ("read + split the same file, lines/s", None, True),
    "import_queue_log_lines_per_cpu_s": ("same, lines per CPU second of the command", None, True),
    "import_freeswitch_cdr_records_per_s": ("import freeswitch-cdr (CSV), records/s", None, True),
    "import_freeswitch_read_split_lines_per_s": ("read + split the same CSV, lines/s", None, True),
    "import_freeswitch_cdr_records_per_cpu_s": ("same, records per CPU second of the command", None, True),
    "cluster_1_workers_events_per_s": ("cluster, 1 worker, events/s", None, True),
    "cluster_2_workers_events_per_s": ("cluster, 2 workers, events/s", None, True),
    "cluster_3_workers_events_per_s": ("cluster, 3 workers, events/s", None, True),
    "broker_kill_ack_pause_s": ("ack pause when the leader broker dies, s", None, False),
    "web_live_p95_ms": ("cckpi serve /api/live p95, ms", None, False),
    "web_contacts_day_p95_ms": ("/api/contacts, a queue's day, p95, ms", None, False),
    "web_contacts_month_p95_ms": ("/api/contacts, a month's abandons, p95, ms", 1000, False),
    "web_contacts_month_page5_p95_ms": ("/api/contacts, 5th page of those, p95, ms", 1000, False),
    "web_event_to_live_p95_s": ("event sent -> on /api/live p95, s", 1.0, False),
}


def _verdict(value: Any, target: float | None, higher: bool) -> str:
    if target is None or not isinstance(value, (int, float)) or math.isnan(value):
        return ""
    met = value >= target if higher else value <= target
    return "[green]met[/]" if met else "[red]not met[/]"


def render(results: dict[str, Any], console: Console) -> None:
    table = Table(title=f"cckpi bench @ {results.get('commit', '?')[:12]}")
    table.add_column("figure")
    table.add_column("key", style="dim")
    table.add_column("median", justify="right")
    table.add_column("target", justify="right")
    table.add_column("")
    for key, (label, target, higher) in TARGETS.items():
        if key not in results:
            continue
        value = results[key]
        shown = f"{value:,.3f}" if isinstance(value, float) and abs(value) < 10 else f"{value:,.0f}" \
            if isinstance(value, (int, float)) else str(value)
        table.add_row(label, key, shown, "" if target is None else ("≥ " if higher else "≤ ") + f"{target:g}",
                      _verdict(value, target, higher))
    console.print(table)
    m = results.get("machine", {})
    console.print(f"machine: {m.get('cores')} cores, {m.get('memory_mb')} MB, Python {m.get('python')}, "
                  f"ClickHouse {m.get('clickhouse')}, Kafka {m.get('kafka')}, faust-streaming {m.get('faust')}")


@click.command()
@click.option("--events", type=click.IntRange(min=100), default=1_000_000, show_default=True,
              help="simulated events for the stream, latency source and replay parts")
@click.option("--runs", type=click.IntRange(min=1), default=3, show_default=True,
              help="runs per figure (each figure is their median)")
@click.option("--facts", type=click.IntRange(min=1000), default=50_000_000, show_default=True,
              help="contact facts generated in SQL for the dashboard and report queries")
@click.option("--payroll-contacts", type=click.IntRange(min=1000), default=2_000_000, show_default=True)
@click.option("--payroll-agents", type=click.IntRange(min=1), default=2000, show_default=True)
@click.option("--rate", type=click.FloatRange(min=1), default=5000.0, show_default=True,
              help="events/s of the latency part")
@click.option("--latency-seconds", type=click.FloatRange(min=1), default=20.0, show_default=True,
              help="length of one latency phase")
@click.option("--queue-log-lines", type=click.IntRange(min=100), default=1_000_000, show_default=True,
              help="lines of the synthetic queue_log of the import part")
@click.option("--cdr-records", type=click.IntRange(min=100), default=1_000_000, show_default=True,
              help="records of the synthetic FreeSWITCH CDR CSV of the import part")
@click.option("--only", default=None, help="comma-separated parts: stream,latency,replay,queries,payroll,import,web; "
              "on the cluster also scale (1-3 workers), broker (kill the leader)")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path("/tmp/cckpi-bench"),
              show_default=True, help="folder for the simulated files (kept for the next run)")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("bench/results.json"),
              show_default=True, help="JSON results (- for none)")
def bench(events: int, runs: int, facts: int, payroll_contacts: int, payroll_agents: int, rate: float,
          latency_seconds: float, queue_log_lines: int, cdr_records: int, only: str | None, work: Path,
          out: Path) -> None:
    """Measure the pipeline on the running local stack (`cckpi stack up`; `eval "$(cckpi stack env)"`).

    Worker throughput and peak RSS against a bare aiokafka consumer of the same
    topic; end-to-end latency at a steady rate; replay into chDB and ClickHouse;
    dashboard SQL and `report --by queue` on FACTS contact facts generated in SQL;
    the payroll rollup; `import asterisk-queue-log` and `import freeswitch-cdr` against
    reading and splitting the same file. Every figure is the median of RUNS runs.
    """
    from pipeline.bench.suite import CLUSTER_PARTS, PARTS, Options, run_suite

    parts = tuple(p.strip() for p in only.split(",")) if only else PARTS
    unknown = [p for p in parts if p not in PARTS + CLUSTER_PARTS]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: choose from {', '.join(PARTS + CLUSTER_PARTS)}",
                                 param_hint="--only")
    console = Console(stderr=True)
    options = Options(events=events, runs=runs, facts=facts, payroll_contacts=payroll_contacts,
                      payroll_agents=payroll_agents, rate=rate, latency_seconds=latency_seconds, parts=parts,
                      work=work, queue_log_lines=queue_log_lines, cdr_records=cdr_records)
    def write(results: dict[str, Any]) -> None:
        if str(out) != "-":
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")

    try:
        results = run_suite(options, log=lambda line: console.print(line, highlight=False), on_part=write)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    render(results, Console(width=140))
    write(results)
    if str(out) != "-":
        console.print(f"wrote {out}")
