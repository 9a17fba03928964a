"""The batch path: ``cckpi replay`` of the simulated file into chDB and into ClickHouse server.

Each run is a fresh ``cckpi replay`` process into a fresh store (chDB allows
one folder per process), so a figure includes start-up and migrations, as a
user's replay does.  Baseline in the same run: reading and ``orjson``-decoding
every line of the file, the floor of any Python batch path.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from pipeline.bench.harness import Target, cckpi_command, cli_env, drop_database, fresh_name, median


@dataclass
class ReplayResult:
    events: int
    chdb_s: list[float] = field(default_factory=list)
    clickhouse_s: list[float] = field(default_factory=list)
    decode_s: list[float] = field(default_factory=list)


def decode_file(path: Path) -> tuple[float, int]:
    began = time.perf_counter()
    loads = orjson.loads
    n = 0
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                loads(line)
                n += 1
    return time.perf_counter() - began, n


def _replay(path: Path, store_url: str, work: Path) -> float:
    env = cli_env(CCKPI_DATA_DIR=str(work / "data"))
    env.pop("CCKPI_STORE_URL", None)
    began = time.perf_counter()
    done = subprocess.run([*cckpi_command(), "replay", str(path), "--store", store_url, "--dead-letter",
                           str(work / "dead-letters.jsonl")], env=env, capture_output=True)
    seconds = time.perf_counter() - began
    if done.returncode:
        raise RuntimeError(f"cckpi replay failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return seconds


def run(target: Target, path: Path, runs: int) -> ReplayResult:
    result = ReplayResult(events=decode_file(path)[1])
    for _ in range(runs):
        result.decode_s.append(decode_file(path)[0])
        work = Path(tempfile.mkdtemp(prefix="cckpi-bench-replay-"))
        try:
            result.chdb_s.append(_replay(path, f"chdb://{work / 'store'}", work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        database = fresh_name("bench_replay")
        work = Path(tempfile.mkdtemp(prefix="cckpi-bench-replay-"))
        try:
            result.clickhouse_s.append(_replay(path, target.store_url(database), work))
        finally:
            drop_database(target, database)
            shutil.rmtree(work, ignore_errors=True)
    return result


def per_million(seconds: list[float], events: int) -> float:
    """Median seconds scaled to 1,000,000 events (the file holds about that many)."""
    return median(seconds) * 1_000_000 / events if events else float("nan")
