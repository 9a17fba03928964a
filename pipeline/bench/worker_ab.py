"""Before/after figures for a worker change: the worker of another tree vs this one, same topic, same run.

    git archive <commit> pipeline schemas | tar -x -C /tmp/wt-base
    .venv/bin/python -m pipeline.bench.worker_ab --base /tmp/wt-base --events 300000 --runs 3

Fills one topic, then per run: the bare aiokafka consumer, the base worker,
this tree's worker (order alternates).  Prints every run and the medians,
each also as a ratio to the bare consumer of the same run.  Needs the stack
(`eval "$(cckpi stack env)"`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pipeline
from pipeline.bench import stream
from pipeline.bench.harness import Target, fresh_name, median
from pipeline.bench.suite import Options, simulated_events


# the folder that holds this tree's `pipeline` package (a checkout, or site-packages)
THIS_TREE = Path(pipeline.__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="a tree holding the base commit's pipeline/")
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    target = Target.from_env()
    path = simulated_events(Options(events=args.events))
    prefix = fresh_name("bench_ab")
    n = stream.fill_topic(target, prefix, path)
    expected = stream.expected_events(path)
    rates: dict[str, list[float]] = {"bare": [], "base": [], "this": []}
    ratios: dict[str, list[float]] = {"base": [], "this": []}
    rss: dict[str, list[float]] = {"base": [], "this": []}
    for run in range(args.runs):
        bare = stream.bare_consumer(target, prefix, n)
        rates["bare"].append(bare)
        order = ["base", "this"] if run % 2 == 0 else ["this", "base"]
        for name in order:
            result = stream.run_worker(target, prefix, expected, n, code=args.base if name == "base" else THIS_TREE)
            rates[name].append(result.events_per_s)
            ratios[name].append(result.events_per_s / bare)
            rss[name].append(result.peak_rss_mb)
            print(f"run {run + 1} {name}: {result.events_per_s:,.0f} events/s ({result.events_per_s / bare:.3f} of "
                  f"bare {bare:,.0f}/s), peak RSS {result.peak_rss_mb:.0f} MB", flush=True)
    for name in ("base", "this"):
        print(f"{name}: median {median(rates[name]):,.0f} events/s, ratio to bare {median(ratios[name]):.3f}, "
              f"peak RSS {max(rss[name]):.0f} MB")
    print(f"this / base: {median(rates['this']) / median(rates['base']):.2f}x")


if __name__ == "__main__":
    main()
