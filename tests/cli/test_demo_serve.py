"""`cckpi demo` (what `make demo` runs): simulates a day and serves the wallboard while the day replays."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures.cli import CCKPI
from tests.fixtures.ports import free_port


def _offered(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/live", timeout=5) as response:
            return sum(q["offered"] for q in json.load(response)["queues"])
    except OSError:
        return None


def test_demo_serves_a_wallboard_whose_numbers_move_then_stops_by_itself(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CCKPI_STORE_URL": f"chdb://{tmp_path / 'store'}", "CCKPI_DATA_DIR": str(tmp_path),
           "CCKPI_CONFIG": ""}
    log = tmp_path / "demo.log"  # a file, not a pipe: a full pipe would stop the demo at its next log line
    with log.open("w") as err:
        demo = subprocess.Popen([*CCKPI, "demo", "--contacts", "400", "--speed", "2400", "--duration", "25",
                                 "--port", str(port)], env=env, stderr=err, text=True)
    seen: list[int] = []
    deadline = time.monotonic() + 90
    try:
        while demo.poll() is None and len(set(seen) - {0}) < 2 and time.monotonic() < deadline:
            offered = _offered(port)
            if offered is not None:
                seen.append(offered)
            with pytest.raises(subprocess.TimeoutExpired):  # the demo keeps running meanwhile
                demo.wait(timeout=0.5)
        assert len(set(seen) - {0}) >= 2, (seen, log.read_text()[-3000:])  # two different non-zero totals
        assert seen == sorted(seen)  # offered contacts only ever add up
        demo.wait(timeout=60)  # --duration ends it
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    stderr = log.read_text()
    assert demo.returncode == 0, stderr
    assert f"http://127.0.0.1:{port}/" in stderr and "Ctrl-C to stop" in stderr and "Traceback" not in stderr


def test_demo_without_serving_prints_the_report(tmp_path: Path) -> None:
    env = {**os.environ, "CCKPI_STORE_URL": f"chdb://{tmp_path / 'store'}", "CCKPI_DATA_DIR": str(tmp_path),
           "CCKPI_CONFIG": "", "COLUMNS": "200"}
    result = subprocess.run([*CCKPI, "demo", "--no-serve", "--contacts", "300"], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "per queue" in result.stdout and "billing" in result.stdout
