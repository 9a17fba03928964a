"""``cckpi bench`` end to end at tiny sizes: every part's code path runs and writes every key.

No figure is checked (tests never time, STYLE.md): only that the command
finishes, the JSON has each key the issue names, and numbers are numbers.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.bench.harness import rounded
from pipeline.bench.queries import PanelTiming, QueryResult, _error

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

KEYS = ("worker_events_per_s", "bare_consumer_events_per_s", "worker_vs_bare_ratio", "e2e_latency_p50_s",
        "e2e_latency_p95_s", "e2e_latency_p99_s", "replay_chdb_1m_s", "replay_clickhouse_1m_s",
        "wallboard_query_p95_ms", "report_50m_s", "payroll_rollup_s", "worker_peak_rss_mb",
        "import_queue_log_lines_per_s", "import_read_split_lines_per_s", "import_freeswitch_cdr_records_per_s",
        "import_freeswitch_read_split_lines_per_s", "web_live_p95_ms",
        "web_contacts_day_p95_ms", "web_contacts_month_p95_ms", "web_event_to_live_p95_s", "report_by_agent_s",
        "report_by_queue_interval_30m_s")


def test_panel_percentiles_are_the_cores_linear_ones() -> None:
    """One percentile in the project (pipeline.core.kpi): numpy's default, q in 0..1."""
    timing = PanelTiming("wallboard", "AHT today", [3.0, 1.0, 2.0, 4.0])
    assert timing.p50_ms == 2.5
    assert timing.p95_ms == pytest.approx(3.85)  # between the two largest, not the nearest rank (4.0)
    result = QueryResult(facts=10, panels=[timing, PanelTiming("scorecard", "Agents", [100.0])])
    assert result.wallboard_p95_ms() == pytest.approx(3.85)  # wallboard panels only


def test_a_figure_without_samples_is_none_in_the_json() -> None:
    """A panel that failed before its first sample (memory limit) must not crash the bench or write NaN."""
    failed = PanelTiming("agent-scorecard", "Agents", error="Memory limit (for query) exceeded")
    assert failed.p50_ms is None and failed.p95_ms is None
    assert QueryResult(facts=10, panels=[failed]).wallboard_p95_ms() is None
    assert rounded(failed.p95_ms, 1) is None and rounded(float("nan"), 1) is None
    assert rounded(12.345, 1) == 12.3
    assert json.loads(json.dumps({"p95_ms": rounded(failed.p95_ms, 1)})) == {"p95_ms": None}


def test_a_failure_is_recorded_with_the_servers_message_not_its_code_line() -> None:
    """clickhouse-driver's text starts with "Code: 241." alone on a line, then the message, then a stack trace."""
    exc = Exception("Code: 241.\nDB::Exception: Memory limit (for query) exceeded: would use 4.00 GiB, "
                    "maximum: 3.73 GiB. Stack trace:\n\n0. /usr/bin/clickhouse-server(StackTrace::StackTrace()")
    assert _error(exc) == ("Code: 241. DB::Exception: Memory limit (for query) exceeded: would use 4.00 GiB, "
                           "maximum: 3.73 GiB.")
    assert _error(Exception()) == "Exception"


def test_tiny_bench_writes_every_key(stack: object, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "bench", "--events", "2000", "--runs", "1", "--facts", "20000",
         "--payroll-contacts", "5000", "--payroll-agents", "50", "--rate", "500", "--latency-seconds", "2",
         "--queue-log-lines", "2000", "--cdr-records", "2000",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    for key in KEYS:
        assert isinstance(results[key], (int, float)) and not math.isnan(results[key]), (key, results[key])
    assert results["machine"]["cores"] >= 1 and results["machine"]["clickhouse"]
    assert results["commit"]
    assert "worker throughput" in done.stdout
