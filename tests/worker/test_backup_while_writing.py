"""A backup taken while the worker writes, restored into a dropped store: the worker's restart from the
offsets the backup noted loses nothing and doubles nothing (the same reports as a replay of the day)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from pipeline.store.store import Store
from tests.worker.conftest import Day, Pipeline, queue_interval_rows, reports

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


def _cckpi(pipeline: Pipeline, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *argv], env=pipeline.env(0),
                          capture_output=True, text=True, timeout=120)


def test_a_backup_during_writes_restores_to_the_same_numbers_after_the_worker_restarts(
        pipeline: Pipeline, small_day: Day, tmp_path) -> None:
    pipeline.extra_env["CCKPI_BATCH_MAX_EVENTS"] = "1000"  # many small batches: the backup lands mid-stream
    pipeline.extra_env["CCKPI_PAYROLL_STORE_URL"] = pipeline.store_url.rsplit("/", 1)[0] + f"/p{pipeline.db}"
    pipeline.produce(small_day.path)
    store = Store.open(pipeline.store_url, migrate_schema=False)
    worker = pipeline.start_worker()
    deadline = time.monotonic() + 60
    while pipeline.stored_events(store) < small_day.distinct * 0.1 and time.monotonic() < deadline:
        assert worker.poll() is None
        time.sleep(0.1)
    made = _cckpi(pipeline, "store", "backup", str(tmp_path / "backup"))
    assert made.returncode == 0, made.stderr
    pipeline.wait_stored(store, small_day.distinct, timeout=120)  # the worker went on meanwhile
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    noted = sum(manifest["kafka_offsets"].values())
    assert 0 < noted < small_day.messages, "the backup did not land mid-stream"
    store.drop()
    restored = _cckpi(pipeline, "store", "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert "set back to the backup's offsets" in restored.stdout
    assert pipeline.stored_events(store) < small_day.distinct  # the restored store lacks what came later ...

    pipeline.start_worker()  # ... which the worker reads again from the noted offsets
    pipeline.wait_stored(store, small_day.distinct, timeout=120)
    settings = pipeline.settings
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (reports(store, settings) != small_day.reports
                                           or queue_interval_rows(store) != small_day.intervals):
        time.sleep(0.5)
    assert reports(store, settings) == small_day.reports
    assert queue_interval_rows(store) == small_day.intervals
