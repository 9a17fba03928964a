"""``cckpi demo``: the main job in one go on the embedded store.

Simulates a day of contact-centre traffic, then (by default) serves the
wallboard web app while replaying the day through the pipeline's chain on a
simulated clock, so the numbers move; ``--no-serve`` replays it at once and
prints the per-queue report instead.  The embedded store allows one process
per folder, so the process that writes is the one that serves.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.console import Console

from pipeline.cli.command_context import default_dead_letter_path, open_store, settings, store_option
from pipeline.cli.foreground import own_ctrl_c
from pipeline.settings import Settings

DEMO_DATABASE = "demo"  # the served demo starts from an empty database of its own in the embedded store


@click.command()
@store_option
@click.option("--contacts", type=click.IntRange(min=1), default=5000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--day", default="2026-11-02", show_default=True, help="the simulated day (ISO date)")
@click.option("--live", is_flag=True, help="the live pipeline: stack, worker, traffic to Kafka, terminal wallboard")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="serve the wallboard while the day replays on a simulated clock; --no-serve: replay at once "
                   "and print the report")
@click.option("--host", default="127.0.0.1", show_default=True, help="with --serve: listen address")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--speed", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="with --live or --serve: simulated seconds per wall-clock second")
@click.option("--duration", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="with --live or --serve: stop after this many seconds (0: at Ctrl-C)")
def demo(store_url: str | None, contacts: int, seed: int, day: str, live: bool, serve: bool, host: str, port: int,
         speed: float, duration: float) -> None:
    """Simulate a day and show it: a wallboard in the browser (default), a printed report, or --live."""
    if live:
        from pipeline.cli.live_demo import run_live_demo

        run_live_demo(contacts, speed, duration, refresh_s=3.0, serve_at=(host, port) if serve else None)
        return
    config = settings(store_url=store_url)
    with own_ctrl_c():  # Ctrl-C ends the demo, not the `make demo` around it (which would report an error)
        try:
            events_file = _simulate(config, contacts, seed, day)
        except KeyboardInterrupt:
            click.echo("demo stopped (Ctrl-C) while simulating the day", err=True)
            return
        if serve:
            _serve(config, events_file, host, port, speed, duration)
        else:
            _replay_and_report(config, events_file, day)


def _first_day(day: str) -> object:
    from datetime import date

    try:
        return date.fromisoformat(day)
    except ValueError:
        raise click.BadParameter(f"{day!r} is not an ISO date such as 2026-11-02", param_hint="--day") from None


def _simulate(config: Settings, contacts: int, seed: int, day: str) -> Path:
    import orjson

    from pipeline.simulate.config import SimulationConfig
    from pipeline.simulate.engine import generate

    first = _first_day(day)
    events_file = Path(config.data_dir) / f"demo-{day}-{contacts}-{seed}.jsonl"
    events_file.parent.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True)
    with console.status("simulating a day of traffic"):
        simulation = SimulationConfig(contacts=contacts, seed=seed, start=first, tz=config.tz)  # type: ignore[arg-type]
        with events_file.open("wb") as handle:
            handle.writelines(orjson.dumps(event) + b"\n" for event in generate(simulation))
    console.print(f"simulated {contacts:,} contacts -> {events_file}")
    return events_file


def _replay_and_report(config: Settings, events_file: Path, day: str) -> None:
    from datetime import timedelta

    from pipeline.core import intervals
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.ingest.batch import replay
    from pipeline.pseudonym_key import pseudonym_key
    from pipeline.report import render
    from pipeline.report.build import ReportRequest, build

    first = _first_day(day)
    console = Console(stderr=True)
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
                                                lang=config.language, width=width,
                                                now_ms=int(time.time() * 1000)))


def _serve(config: Settings, events_file: Path, host: str, port: int, speed: float, duration: float) -> None:
    import threading

    from pipeline.cli.serve import run_server
    from pipeline.core import intervals
    from pipeline.core.intake import Intake
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.ingest.paced import PacedReplay, SimulatedClock
    from pipeline.pseudonym_key import pseudonym_key
    from pipeline.store.engines import StoreError
    from pipeline.store.store_url import parse_url
    from pipeline.store.migrations import migrate
    from pipeline.store.store import Store
    from pipeline.web.factory import create_app
    from pipeline.web.auth import TokenRequired, check_bind

    try:
        check_bind(host, config.serve_token)
        parsed = parse_url(config.store_url)
    except (TokenRequired, StoreError) as exc:
        raise click.UsageError(str(exc)) from None
    if parsed.scheme != "chdb":
        raise click.UsageError("the served demo replays into the embedded store; unset CCKPI_STORE_URL or pass "
                               "--store chdb:///dir (cckpi demo --live shows the pipeline on ClickHouse server)")
    url = f"chdb://{parsed.path}?database={DEMO_DATABASE}"
    try:
        store = Store.open(url, migrate_schema=False)
        store.drop()  # numbers must start from nothing
        migrate(store.engine)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    lock, stop = threading.Lock(), threading.Event()
    paced = PacedReplay(events_file.read_bytes().splitlines(), store, config,
                        Intake(pseudonymiser(pseudonym_key(config))), default_dead_letter_path(url, config), lock)
    clock = SimulatedClock(paced.first_ms - 60_000, speed)
    replaying = threading.Thread(target=paced.run, args=(clock, stop), name="demo-replay", daemon=True)
    replaying.start()
    try:
        app = create_app(store, config, clock=clock, token=config.serve_token, lock=lock, bind_host=host)
        interrupted = run_server(app, host, port, f"replaying {events_file.name} at {speed:g}x into {url} ", duration)
    finally:
        stop.set()
        replaying.join(30)
    ended = "stopped (Ctrl-C)" if interrupted else f"ended after {duration:g} s"
    click.echo(f"demo {ended}: replayed {paced.next:,} of {len(paced.lines):,} events ({len(paced.contacts):,} "
               f"contacts) up to {intervals.iso(clock(), config.zone)[:19]} simulated, into {url}", err=True)
