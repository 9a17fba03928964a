"""``cckpi demo``: the main job in one go on the embedded store.

Simulates a day of contact-centre traffic, replays it through the pipeline's
chain into the store and prints the per-queue wallboard report for that day.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console

from pipeline.i18n import default_language
from pipeline.cli.common import default_dead_letter_path, open_store, settings, store_option


@click.command()
@store_option
@click.option("--contacts", type=click.IntRange(min=1), default=5000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--day", default="2026-11-02", show_default=True, help="the simulated day (ISO date)")
@click.option("--live", is_flag=True, help="the live pipeline: stack, worker, traffic to Kafka, terminal wallboard")
@click.option("--speed", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="with --live: simulated seconds per wall-clock second")
@click.option("--duration", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="with --live: stop after this many seconds (0: at Ctrl-C)")
def demo(store_url: str | None, contacts: int, seed: int, day: str, live: bool, speed: float,
         duration: float) -> None:
    """Simulate a day, replay it into the store and print the per-queue report (--live: stream it)."""
    if live:
        from pipeline.cli.live_demo import run_live_demo

        run_live_demo(contacts, speed, duration, refresh_s=3.0)
        return
    from datetime import date, timedelta

    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.ingest.batch import replay
    from pipeline.report import render
    from pipeline.report.build import ReportRequest, build
    from pipeline.core import intervals
    from pipeline.pseudonym_key import pseudonym_key
    from pipeline.simulate.config import SimulationConfig
    from pipeline.simulate.engine import generate
    import orjson

    config = settings(store_url=store_url)
    try:
        first = date.fromisoformat(day)
    except ValueError:
        raise click.BadParameter(f"{day!r} is not an ISO date such as 2026-11-02", param_hint="--day") from None
    console = Console(stderr=True)
    events_file = Path(config.data_dir) / f"demo-{day}-{contacts}-{seed}.jsonl"
    events_file.parent.mkdir(parents=True, exist_ok=True)
    with console.status("simulating a day of traffic"):
        simulation = SimulationConfig(contacts=contacts, seed=seed, start=first, tz=config.tz)
        with events_file.open("wb") as handle:
            handle.writelines(orjson.dumps(event) + b"\n" for event in generate(simulation))
    console.print(f"simulated {contacts:,} contacts -> {events_file}")
    with open_store(config.store_url) as store:
        with console.status("replaying through the pipeline"):
            summary = replay([str(events_file)], store, config, pseudonymiser(pseudonym_key(config)),
                             default_dead_letter_path(config.store_url, config))
        console.print(f"replayed {summary.counts.accepted:,} events, {summary.contacts:,} contacts "
                      f"into {config.store_url}")
        start = intervals.parse_instant(first.isoformat(), config.zone)
        end = intervals.parse_instant((first + timedelta(days=1)).isoformat(), config.zone)
        result = build(store, ReportRequest(start, end, ("queue",)), config)
    width = render.table_width()
    Console(width=width).print(render.printable(result, config, title=f"{day} per queue ({config.tz})",
                                                lang=default_language(config.zone), width=width,
                                                now_ms=int(time.time() * 1000)))
