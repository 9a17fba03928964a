"""Benchmark: replay of ~1,000,000 simulated events into a fresh embedded (chDB) store.

Prints every run and the median; run with `.venv/bin/python bench/replay_1m.py [--runs 3]`.
Each run is a fresh process (chDB allows one folder per process), so the figure
includes the store's start-up and migrations, as a user's `cckpi replay` does.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--contacts", type=int, default=110_000, help="110k contacts over 30 days is ~1M events")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cckpi-bench-"))
    events = work / "events.jsonl"
    subprocess.run([sys.executable, "-m", "pipeline.cli.main", "simulate", "--out", str(events), "--contacts",
                    str(args.contacts), "--days", "30", "--seed", "9"], check=True, capture_output=True)
    lines = sum(1 for _ in events.open("rb"))
    seconds = []
    for run in range(args.runs):
        env_store = f"chdb://{work / f'store-{run}'}"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline.cli.main", "replay", str(events), "--store", env_store],
                       check=True, capture_output=True, env={"CCKPI_DATA_DIR": str(work / "data"),
                                                             "PATH": "/usr/bin:/bin"})
        seconds.append(time.perf_counter() - started)
        print(f"run {run + 1}: {lines:,} events in {seconds[-1]:.1f} s ({lines / seconds[-1]:,.0f} events/s)")
    median = statistics.median(seconds)
    print(f"replay into chDB: median {median:.1f} s for {lines:,} events, {lines / median:,.0f} events/s")


if __name__ == "__main__":
    main()
