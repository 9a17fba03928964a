"""``cckpi simulate``: write simulated contact-centre traffic as JSON Lines.

The generator is pure; this command only turns options into a config, writes
the events and prints a summary to stderr (stdout may be the data itself).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from typing import BinaryIO

import click
import orjson
from rich.console import Console
from rich.table import Table

from pipeline.settings import load_settings
from pipeline.simulate import ConfigError, SimulationConfig, Tally, generate, parse_queues, parse_start
from pipeline.simulate.config import DEFAULT_QUEUES, DEFAULT_START

_BATCH = 4096


@click.command()
@click.option("--out", "out_path", default=None, help="JSON Lines file to write; - for stdout")
@click.option("--live", is_flag=True, help="instead of a file, stream to Kafka (<prefix>.events) paced by event time")
@click.option("--speed", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="with --live: simulated seconds per wall-clock second (1 = real time)")
@click.option("--contacts", default=5000, show_default=True, type=click.IntRange(min=0),
              help="contacts over the whole period (inbound and outbound)")
@click.option("--days", default=1, show_default=True, type=click.IntRange(min=1), help="days to simulate")
@click.option("--seed", default=1, show_default=True, type=int, help="same seed and options give the same file")
@click.option("--start", default=DEFAULT_START.isoformat(), show_default=True,
              help="first day (ISO date) or first moment (ISO datetime, centre's zone if no offset)")
@click.option("--queues", default=DEFAULT_QUEUES, show_default=True,
              help="name:channel[:weight],... with channel voice or chat")
@click.option("--agents", type=click.IntRange(min=1), default=None,
              help="agents on the roster (default: planned from the traffic)")
@click.option("--staffing", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="scale the roster: 0.5 = half the planned agents, so service level falls")
@click.option("--tz", default=None, help="centre's time zone (default: the CCKPI_TZ setting)")
def simulate(out_path: str | None, live: bool, speed: float, contacts: int, days: int, seed: int, start: str,
             queues: str, agents: int | None, staffing: float, tz: str | None) -> None:
    """Simulate contact-centre traffic (voice and chat) as contract events, sorted by time."""
    if live == (out_path is not None):
        raise click.UsageError("give either --out FILE or --live")
    if live and click.get_current_context().get_parameter_source("start") == click.core.ParameterSource.DEFAULT:
        start = datetime.now(timezone.utc).isoformat(timespec="seconds")  # live traffic starts now by default
    try:
        config = SimulationConfig(contacts=contacts, days=days, seed=seed, start=parse_start(start),
                                  queues=parse_queues(queues), agents=agents, staffing=staffing,
                                  tz=tz or load_settings().tz)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None
    tally = Tally()
    began = time.perf_counter()
    if live:
        from pipeline.cli.produce import stream_simulation

        stream_simulation(tally.count(generate(config)), speed)
    elif out_path == "-":
        write_events(sys.stdout.buffer, tally, config)
    else:
        with open(out_path, "wb") as handle:
            write_events(handle, tally, config)
    print_summary(tally, time.perf_counter() - began, out_path or "kafka")


def write_events(handle: BinaryIO, tally: Tally, config: SimulationConfig) -> None:
    """One event per line; batched writes because a million small writes are slow."""
    dumps, batch = orjson.dumps, []
    for event in tally.count(generate(config)):
        batch.append(dumps(event))
        if len(batch) >= _BATCH:
            handle.write(b"\n".join(batch) + b"\n")
            batch.clear()
    if batch:
        handle.write(b"\n".join(batch) + b"\n")
    handle.flush()


def print_summary(tally: Tally, seconds: float, out_path: str) -> None:
    console = Console(stderr=True)
    console.print(f"simulated [bold]{tally.contacts:,}[/] contacts, [bold]{tally.events:,}[/] events, "
                  f"{len(tally.agents)} agents in {seconds:.1f} s -> {out_path}")
    table = Table()
    table.add_column("event type")
    table.add_column("events", justify="right")
    for name, count in sorted(tally.by_type.items()):
        table.add_row(name, f"{count:,}")
    console.print(table)
