"""`cckpi demo` (what `make demo` runs): simulates a day and serves the wallboard while the day replays."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures.cli import CCKPI
from tests.fixtures.ports import free_port
from tests.paths import REPO_ROOT


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


def _read_until(fd: int, wanted: str, seconds: float) -> str:
    """What the terminal showed until ``wanted`` appeared (or the deadline, or the end)."""
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the terminal closed: every process on it ended
            break
        if not chunk:
            break
        seen += chunk
    return seen.decode(errors="replace")


def _exit_status(pid: int, seconds: float) -> int:
    """The child's wait status once it ends; one still running after ``seconds`` is killed with its group and the
    test fails, instead of waiting for ever (a demo that ignored Ctrl-C once held a whole CI run)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)  # pty.fork made the child a session (and group) leader
    os.waitpid(pid, 0)
    raise AssertionError(f"make demo was still running {seconds:g} s after Ctrl-C")


def test_ctrl_c_on_make_demo_ends_with_one_line_and_make_succeeds(tmp_path: Path) -> None:
    """In a terminal, as a user types it: Ctrl-C reaches the demo only, which says what it did; make exits 0."""
    port = free_port()
    env = {**os.environ, "CCKPI_STORE_URL": f"chdb://{tmp_path / 'store'}", "CCKPI_DATA_DIR": str(tmp_path),
           "CCKPI_CONFIG": "", "MAKEFLAGS": ""}
    pid, fd = pty.fork()
    if pid == 0:  # the child: make on the new terminal (-o install: the checkout is installed already)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a terminal's shell starts it, whatever ran the tests
        os.execvpe("make", ["make", "-C", str(REPO_ROOT), "-o", "install", "demo",
                            f"DEMO_ARGS=--contacts 300 --speed 600 --port {port}"], env)
    try:
        shown = _read_until(fd, "Ctrl-C to stop", 120)
        assert "Ctrl-C to stop" in shown, shown[-3000:]
        os.write(fd, b"\x03")
        shown += _read_until(fd, "\0", 60)  # everything until the terminal closes
        status = _exit_status(pid, 30)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, shown[-3000:]
    assert "demo stopped (Ctrl-C): replayed" in shown and "contacts) up to 2026-11-02T" in shown, shown[-3000:]
    assert not any(noise in shown for noise in ("Aborted!", "Interrupt", "Error", "Traceback")), shown[-3000:]
