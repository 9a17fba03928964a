"""``cckpi follow asterisk-queue-log`` on the real local Kafka: SIGKILL mid-file, restart, same report as import.

Lines are appended while the follower runs (as Asterisk writes them), the
follower is killed with SIGKILL twice in the middle of the file and started
again from its checkpoint, and the worker's report then equals a batch
``cckpi import asterisk-queue-log`` of the same file replayed into another
database.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline import metric_defs as m
from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.batch import replay
from pipeline.settings import load_settings
from pipeline.store.store import Store
from tests.fixtures.http import get_text, prometheus_query
from tests.fixtures.stores import TEST_KEY
from tests.worker.conftest import Pipeline, admin_base, free_port, metric_value, reports

pytestmark = pytest.mark.integration

T0 = 1_793_581_200  # 2026-11-02 09:00 in Asia/Shanghai


def queue_log(calls: int, seed: int) -> list[str]:
    """A day's queue_log in time order: answered, abandoned, timed-out and transferred calls, pauses, noise."""
    rng = random.Random(seed)
    rows: list[tuple[int, int, str]] = []
    for i in range(calls):
        call, queue = f"{T0 + i}.{i}", rng.choice(["sales", "support"])
        enter = T0 + i * 4 + rng.randint(0, 3)
        agent = f"SIP/{1000 + rng.randint(1, 12)}"
        rows.append((enter, len(rows), f"{enter}|{call}|{queue}|NONE|ENTERQUEUE||1380013{i:04d}|1"))
        fate, wait = rng.random(), rng.randint(0, 90)
        if fate < 0.2:
            rows.append((enter + wait, len(rows), f"{enter + wait}|{call}|{queue}|NONE|ABANDON|2|1|{wait}"))
            continue
        if fate < 0.25:
            rows.append((enter + 300, len(rows), f"{enter + 300}|{call}|{queue}|NONE|EXITWITHTIMEOUT|1|1|300"))
            continue
        talk = rng.randint(20, 600)
        rows.append((enter + wait, len(rows), f"{enter + wait}|{call}|{queue}|{agent}|CONNECT|{wait}|x.{i}|3"))
        end = enter + wait + talk
        if fate < 0.3:
            rows.append((end, len(rows), f"{end}|{call}|{queue}|{agent}|BLINDTRANSFER|2001|default|{wait}|{talk}|1"))
        elif i < calls - 5:  # the last few are still talking when the file ends
            rows.append((end, len(rows), f"{end}|{call}|{queue}|{agent}|COMPLETECALLER|{wait}|{talk}|1"))
        if i % 50 == 0:
            rows.append((enter + 1, len(rows), f"{enter + 1}|NONE|{queue}|{agent}|PAUSE|Lunch"))
            rows.append((enter + 2, len(rows), f"{enter + 2}|{call}|{queue}|{agent}|RINGNOANSWER|15000"))
    rows.append((T0 + 5, len(rows), "not|a|queue_log line"))  # a dead letter
    return [row for _, _, row in sorted(rows)]


def _checkpoint_offset(path: Path) -> int:
    try:
        return int(orjson.loads(path.read_bytes())["offset"])
    except (FileNotFoundError, orjson.JSONDecodeError):
        return 0


def _start_follower(pipeline: Pipeline, log_path: Path, checkpoint: Path, n: int,
                    metrics_port: int = 0) -> subprocess.Popen[bytes]:
    out = open(pipeline.tmp / f"follow-{n}.log", "wb")  # noqa: SIM115 - the process holds it
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli.main", "follow", "asterisk-queue-log", str(log_path),
                             "--checkpoint", str(checkpoint), "--metrics-port", str(metrics_port)],
                            env=pipeline.env(0), stdout=out, stderr=subprocess.STDOUT)


def _scrape(port: int) -> str:
    return get_text(f"http://127.0.0.1:{port}/metrics")


def _wait(check, timeout: float, what: str, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if proc is not None:
            assert proc.poll() is None, f"the follower exited with {proc.returncode} while waiting for {what}"
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def test_follow_killed_mid_file_gives_the_same_report_as_a_batch_import(pipeline: Pipeline, tmp_path: Path) -> None:
    rows = queue_log(calls=3000, seed=12)
    full = tmp_path / "full.log"
    full.write_text("\n".join(rows) + "\n")
    total_bytes = full.stat().st_size

    # the batch import of the whole file, replayed into its own database: the expected numbers
    imported = tmp_path / "imported.jsonl"
    done = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "import", "asterisk-queue-log", str(full),
                           "--out", str(imported)], env=pipeline.env(0), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    distinct = len({orjson.loads(line)["event_id"] for line in imported.read_bytes().splitlines()})
    settings = load_settings()
    expected_store = Store.open(f"{admin_base()}/r_{uuid.uuid4().hex[:12]}")
    try:
        replay([str(imported)], expected_store, settings, pseudonymiser(TEST_KEY), tmp_path / "dead.jsonl")
        expected = reports(expected_store, settings)
    finally:
        expected_store.engine.command(f"DROP DATABASE IF EXISTS {expected_store.db}")
        expected_store.close()

    # the live file grows while the follower runs; the follower is SIGKILLed twice mid-file
    live, checkpoint = tmp_path / "queue_log", tmp_path / "follow.checkpoint.json"
    live.write_bytes(b"")
    chunks = [rows[i:i + 250] for i in range(0, len(rows), 250)]
    follower = _start_follower(pipeline, live, checkpoint, 0)
    kills, starts, resumed_at = 0, 1, 0
    for index, chunk in enumerate(chunks):
        with live.open("a") as handle:  # appended as Asterisk does: whole lines
            handle.write("\n".join(chunk) + "\n")
        if index in (len(chunks) // 3, 2 * len(chunks) // 3):
            written = live.stat().st_size
            # this run has published and checkpointed something of its own, and the file is not complete yet
            _wait(lambda: _checkpoint_offset(checkpoint) > resumed_at, 60, "a checkpoint of this run", follower)
            follower.send_signal(signal.SIGKILL)
            follower.wait()
            kills += 1
            resumed_at = _checkpoint_offset(checkpoint)
            assert 0 < resumed_at <= written < total_bytes
            port = free_port()
            follower = _start_follower(pipeline, live, checkpoint, starts, port)
            starts += 1
    assert kills == 2 and live.stat().st_size == total_bytes
    _wait(lambda: _checkpoint_offset(checkpoint) == total_bytes, 120, "the follower to reach the end", follower)
    # the last follower's metrics: every line from where it resumed, published; nothing behind
    lines_since = sum(1 for line in full.read_bytes()[resumed_at:].splitlines() if line.strip())
    _wait(lambda: metric_value(_scrape(port), m.FOLLOW_LINES, file=str(live)) == lines_since, 10,
          f"{m.FOLLOW_LINES} == {lines_since}", follower)
    text = _scrape(port)
    assert metric_value(text, m.FOLLOW_BEHIND_BYTES, file=str(live)) == 0
    assert metric_value(text, m.FOLLOW_BEHIND_SECONDS, file=str(live)) == 0
    events = metric_value(text, m.FOLLOW_EVENTS, file=str(live))
    follower.send_signal(signal.SIGTERM)
    assert follower.wait(timeout=30) == 0
    # the counters are the follower's own counts, as it prints them when it stops
    summary = (pipeline.tmp / f"follow-{starts - 1}.log").read_text()
    assert f"stopped: {lines_since:,} lines -> {int(events or 0):,} events" in summary, summary[-500:]
    assert events

    pipeline.start_worker()
    store = Store.open(pipeline.store_url, migrate_schema=False)
    try:
        pipeline.wait_stored(store, distinct, timeout=120)
        _wait(lambda: reports(store, pipeline.settings) == expected, 60, "the worker's report to equal the import's")
    finally:
        store.close()
    assert sum(r["offered"] for r in expected[0]) == 3000


def test_prometheus_scrapes_the_follower_as_the_cckpi_follow_job(pipeline: Pipeline, stack: Any,
                                                                 tmp_path: Path) -> None:
    """The deploy config's job, on the stack's real Prometheus: what the follower published, and nothing behind."""
    live, port = tmp_path / "queue_log", free_port()
    live.write_text("\n".join(queue_log(calls=40, seed=3)) + "\n")
    lines = sum(1 for line in live.read_bytes().splitlines() if line.strip())
    follower = _start_follower(pipeline, live, tmp_path / "follow.checkpoint.json", 0, port)
    target = stack.prometheus_follow_targets_dir / f"follow-{port}.json"
    target.write_text(json.dumps([{"targets": [f"127.0.0.1:{port}"], "labels": {"pbx": "test"}}]))
    try:
        _wait(lambda: _checkpoint_offset(tmp_path / "follow.checkpoint.json") == live.stat().st_size, 60,
              "the follower to reach the end", follower)
        expr = f'{m.FOLLOW_LINES}{{job="cckpi-follow",pbx="test"}}'
        deadline, samples = time.monotonic() + 60, []
        while time.monotonic() < deadline and not (samples and samples[0]["value"][1] == str(lines)):
            time.sleep(1)
            samples = prometheus_query(stack.prometheus_url, expr, timeout=5)
        assert samples and samples[0]["value"][1] == str(lines), samples
        assert samples[0]["metric"]["file"] == str(live)
    finally:
        target.unlink()
        follower.send_signal(signal.SIGTERM)
        follower.wait(timeout=30)
