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

from pipeline.bench.common import percentile

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

KEYS = ("worker_events_per_s", "bare_consumer_events_per_s", "worker_vs_bare_ratio", "e2e_latency_p50_s",
        "e2e_latency_p95_s", "e2e_latency_p99_s", "replay_chdb_1m_s", "replay_clickhouse_1m_s",
        "wallboard_query_p95_ms", "report_50m_s", "payroll_rollup_s", "worker_peak_rss_mb")


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5.0], 95) == 5.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_tiny_bench_writes_every_key(stack: object, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli.main", "bench", "--events", "2000", "--runs", "1", "--facts", "20000",
         "--payroll-contacts", "5000", "--payroll-agents", "50", "--rate", "500", "--latency-seconds", "2",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    for key in KEYS:
        assert isinstance(results[key], (int, float)) and not math.isnan(results[key]), (key, results[key])
    assert results["machine"]["cores"] >= 1 and results["machine"]["clickhouse"]
    assert results["commit"]
    assert "worker throughput" in done.stdout
