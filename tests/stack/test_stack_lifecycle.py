"""Integration test: a second, private stack goes up, stays idempotent, and goes fully down.

It runs in its own folder on its own ports, so the session's stack (which the
other tests use) is never stopped.  It also proves that a fresh stack folder
starts from the Maven cache without a download.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.stack import process

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PORTS = {"KAFKA_PORT": 19292, "KAFKA_CONTROLLER_PORT": 19293, "CLICKHOUSE_TCP_PORT": 19200,
         "CLICKHOUSE_HTTP_PORT": 18323, "PROMETHEUS_PORT": 19290, "ALERTMANAGER_PORT": 19294}


def ours(root: Path) -> list[int]:
    """Pids of live processes whose command line names the private stack folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid() and process.is_ours(int(entry.name), str(root)):
            found.append(int(entry.name))
    return found


def test_private_stack_up_up_down(tmp_path: Path) -> None:
    root = tmp_path / "stack"
    env = {**os.environ, "CCKPI_STACK__DIR": str(root), **{f"CCKPI_STACK__{k}": str(v) for k, v in PORTS.items()}}
    if any(process.port_open("127.0.0.1", port) for port in PORTS.values()):
        pytest.skip(f"ports {sorted(PORTS.values())} are taken on this machine")

    def cckpi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipeline.cli.main", "stack", *args], env=env,
                              capture_output=True, text=True, timeout=300)

    try:
        first = cckpi("up")
        assert first.returncode == 0, first.stdout + first.stderr
        assert [line.split(":")[0] for line in first.stdout.splitlines() if " started " in line] == [
            "kafka", "clickhouse", "prometheus", "alertmanager"]
        assert "19292" in first.stdout and "version 3.9." in first.stdout
        second = cckpi("up")
        assert second.returncode == 0 and second.stdout.count("already running") == 4, second.stdout
        assert cckpi("status").returncode == 0
        assert len(ours(root)) >= 4
        logs = cckpi("logs", "kafka", "-n", "5")
        assert logs.returncode == 0 and str(root / "logs" / "kafka.log") in logs.stdout
    finally:
        down = cckpi("down")
    assert down.returncode == 0, down.stderr
    assert down.stdout.count("stopped") == 4, down.stdout
    assert ours(root) == []
    assert not any(process.port_open("127.0.0.1", port) for port in PORTS.values())
    status = cckpi("status")
    assert status.returncode == 3 and status.stdout.count("not running") == 4
