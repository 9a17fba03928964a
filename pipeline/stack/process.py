"""Start, find and stop the stack's server processes through pid files.

A pid file alone could point at an unrelated process after a reboot (pid
reuse), so a pid counts as ours only while its command line mentions the stack
folder, which every service command does (its config path).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections import deque
from pathlib import Path


def spawn(
    cmd: list[str], log: Path, pid_file: Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``cmd`` detached (own session, no terminal), output appended to ``log``.

    Detached so that it outlives ``cckpi stack up`` and a Ctrl-C in the shell;
    stdin/stdout are not inherited so a caller capturing our output never waits
    for the server to exit.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        out.write(f"\n==== {time.strftime('%Y-%m-%d %H:%M:%S')} starting: {' '.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(f"{proc.pid}\n")
    return proc


def read_pid(pid_file: Path) -> int | None:
    """The pid recorded in ``pid_file``, or None when there is none or it is garbage."""
    try:
        return int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def is_ours(pid: int, marker: str) -> bool:
    """True when ``pid`` is alive and its command line contains ``marker`` (the stack folder)."""
    if not alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return marker in cmdline


def running_pid(pid_file: Path, marker: str) -> int | None:
    """The pid of our running service, or None (a stale pid file is removed)."""
    pid = read_pid(pid_file)
    if pid is not None and is_ours(pid, marker):
        return pid
    pid_file.unlink(missing_ok=True)
    return None


def terminate(pid: int) -> None:
    """Ask the service's whole process group to stop (SIGTERM: each server shuts down cleanly)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    except PermissionError:
        os.kill(pid, signal.SIGTERM)


def wait_gone(pids: list[int], timeout_s: float) -> list[int]:
    """Wait until every pid has exited; return those still alive at the deadline."""
    deadline = time.monotonic() + timeout_s
    left = [pid for pid in pids if alive(pid)]
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = [pid for pid in left if alive(pid)]
    return left


def kill(pid: int) -> None:
    """Last resort for a service that ignored SIGTERM."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def port_open(host: str, port: int) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 20) -> list[str]:
    """The last ``lines`` lines of a log file (empty when it does not exist)."""
    try:
        with open(path, errors="replace") as handle:
            return [line.rstrip("\n") for line in deque(handle, maxlen=lines)]
    except FileNotFoundError:
        return []


def stop_children(children: list[subprocess.Popen[bytes]] | list[subprocess.Popen[str]], timeout_s: float = 30) -> None:
    """SIGTERM every child still running, then wait; kill the ones that do not stop in time."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
