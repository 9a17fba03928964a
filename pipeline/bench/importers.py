"""Import speed: ``cckpi import asterisk-queue-log`` on a synthetic queue_log, and ``cckpi import freeswitch-cdr``
on a synthetic mod_cdr_csv file, each beside reading and splitting the same file.

The baseline in the same run is the floor of any Python importer of the
format: read every line of the same file and split it on ``|`` (queue_log) or
``,`` (the CSV: one record a line).  The import figure is the whole command as
a user runs it (a fresh process: start-up, mapping, JSON Lines written), so the
ratio says what the mapping costs.
"""

from __future__ import annotations

import random
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.bench.harness import cckpi_command, cli_env

T0 = 1_793_581_200  # 2026-11-02 09:00 in Asia/Shanghai
ROWS_PER_CALL = 3.4  # the mix below: ENTERQUEUE, CONNECT, COMPLETE or ABANDON, pauses and ring noise


@dataclass
class ImportResult:
    lines: int
    import_s: list[float] = field(default_factory=list)
    read_split_s: list[float] = field(default_factory=list)
    import_cpu_s: list[float] = field(default_factory=list)  # user + sys of the command: a busy machine's fair figure


def queue_log_file(work: Path, lines: int) -> Path:
    """A deterministic queue_log of about ``lines`` rows in time order (cached in the work folder)."""
    path = work / f"queue_log-{lines}"
    if path.exists():
        return path
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(12)
    rows: list[tuple[int, str]] = []
    calls = max(1, round(lines / ROWS_PER_CALL))
    for i in range(calls):
        call, queue = f"{T0 + i // 10}.{i}", rng.choice(("sales", "support", "billing"))
        agent = f"SIP/{rng.randint(1000, 1200)}"
        enter, wait = T0 + i // 10, rng.randint(0, 120)
        rows.append((enter, f"{enter}|{call}|{queue}|NONE|ENTERQUEUE||1380013{i % 10000:04d}|1"))
        if rng.random() < 0.2:
            rows.append((enter + wait, f"{enter + wait}|{call}|{queue}|NONE|ABANDON|2|1|{wait}"))
        else:
            talk = rng.randint(20, 900)
            rows.append((enter + wait, f"{enter + wait}|{call}|{queue}|{agent}|CONNECT|{wait}|x.{i}|3"))
            end = enter + wait + talk
            rows.append((end, f"{end}|{call}|{queue}|{agent}|COMPLETEAGENT|{wait}|{talk}|1"))
        if rng.random() < 0.5:
            rows.append((enter + 1, f"{enter + 1}|{call}|{queue}|{agent}|RINGNOANSWER|15000"))
        if rng.random() < 0.1:
            rows.append((enter + 2, f"{enter + 2}|NONE|{queue}|{agent}|PAUSE|Lunch"))
    rows.sort(key=lambda row: row[0])
    partial = path.with_suffix(".part")
    partial.write_text("".join(row + "\n" for _, row in rows))
    partial.rename(path)
    return path


CDR_HEADER = ("cc_side", "cc_member_uuid", "cc_queue", "cc_queue_joined_epoch", "cc_queue_answered_epoch",
              "cc_queue_terminated_epoch", "cc_queue_canceled_epoch", "cc_cause", "cc_cancel_reason", "cc_agent",
              "caller_id_number", "transfer_history")  # the cdr_csv template of docs/importers.md


def freeswitch_cdr_file(work: Path, records: int) -> Path:
    """A deterministic mod_cdr_csv file of about ``records`` rows (cached in the work folder): per call the member
    leg, and for an answered call the agent's leg (skipped by the importer, as in a real file)."""
    path = work / f"freeswitch-cdr-{records}.csv"
    if path.exists():
        return path
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(13)
    rows = [",".join(f'"{name}"' for name in CDR_HEADER)]
    for i in range(max(1, round(records / 1.8))):  # 80% answered: 1.8 rows a call
        member, queue = f"5d2c{i:08x}-7a1e-4d0b-9c61-{i:012x}", rng.choice(("sales@default", "support@default"))
        joined, caller = T0 + i // 10, f"1380013{i % 10000:04d}"
        agent, wait = f"{rng.randint(1000, 1200)}@default", rng.randint(0, 120)
        if rng.random() < 0.2:
            cause = rng.choice(("BREAK_OUT", "TIMEOUT", "NO_AGENT_TIMEOUT"))
            fields = ("member", member, queue, joined, "", "", joined + wait, "Cancel", cause, "", caller, "")
            rows.append(",".join(f'"{value}"' for value in fields))
            continue
        answered, ended = joined + wait, joined + wait + rng.randint(20, 900)
        for side in ("member", "agent"):
            fields = (side, member, queue, joined, answered, ended, "", "Terminated", "", agent, caller, "")
            rows.append(",".join(f'"{value}"' for value in fields))
    partial = path.with_suffix(".part")
    partial.write_text("".join(row + "\n" for row in rows))
    partial.rename(path)
    return path


def read_and_split(path: Path, separator: bytes = b"|") -> tuple[float, int]:
    began = time.perf_counter()
    n = 0
    with path.open("rb") as handle:
        for line in handle:
            line.rstrip(b"\r\n").split(separator)
            n += 1
    return time.perf_counter() - began, n


def _import(command: str, path: Path) -> tuple[float, float]:
    """Wall seconds of the command, and its CPU seconds (user + sys: on a shared machine the wall figure also
    measures the neighbours)."""
    with tempfile.TemporaryDirectory(prefix="cckpi-bench-import-") as work:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run([*cckpi_command(), "import", command, str(path), "--out",
                               str(Path(work) / "events.jsonl")], env=cli_env(), capture_output=True)
        seconds = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"cckpi import {command} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return seconds, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def run(work: Path, lines: int, runs: int) -> ImportResult:
    return _measure("asterisk-queue-log", queue_log_file(work, lines), b"|", runs, header_lines=0)


def run_freeswitch(work: Path, records: int, runs: int) -> ImportResult:
    """The same measure for ``cckpi import freeswitch-cdr`` (``lines``: the CSV's rows, its header left out)."""
    return _measure("freeswitch-cdr", freeswitch_cdr_file(work, records), b",", runs, header_lines=1)


def _measure(command: str, path: Path, separator: bytes, runs: int, header_lines: int) -> ImportResult:
    """``runs`` times: read and split ``path``, then ``cckpi import COMMAND`` of it (wall and CPU seconds)."""
    result = ImportResult(lines=read_and_split(path, separator)[1] - header_lines)
    for _ in range(runs):
        result.read_split_s.append(read_and_split(path, separator)[0])
        wall, cpu = _import(command, path)
        result.import_s.append(wall)
        result.import_cpu_s.append(cpu)
    return result
