"""``cckpi produce``: JSON Lines files into the events topic, keyed so a contact stays on one partition."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import click
from rich.console import Console

from pipeline.cli.command_context import settings


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), default=None,
              help="events per second (default: as fast as Kafka takes them)")
@click.option("--topic", default=None, help="topic to write (default: <CCKPI_TOPIC_PREFIX>.events)")
def produce(paths: tuple[str, ...], rate: float | None, topic: str | None) -> None:
    """Publish the events of PATH... (.jsonl) to Kafka; non-JSON lines go as-is for the worker to dead-letter."""
    from pipeline.kafka.admin import KafkaAdminError, ensure_topics
    from pipeline.kafka.producer import file_lines, open_producer, produce_lines

    config = settings()
    for path in paths:
        if not os.path.isfile(path):
            raise click.BadParameter(f"no file {path!r}", param_hint="PATH")
    target = topic or config.topic("events")
    try:
        ensure_topics(config, [target, config.topic("dead-letter")])
    except KafkaAdminError as exc:
        raise click.ClickException(str(exc)) from None
    producer = open_producer(config)
    try:
        summary = produce_lines(producer, target, file_lines(paths), rate)
    finally:
        producer.close()
    Console(stderr=True).print(
        f"produced [bold]{summary.sent:,}[/] messages to {target} in {summary.seconds:.1f} s "
        f"({summary.rate:,.0f}/s); {summary.unkeyed:,} without a key (not JSON or no id)")


def stream_simulation(events: Iterable[dict[str, Any]], speed: float) -> None:
    """``cckpi simulate --live``: generated events to <prefix>.events, paced by their time; Ctrl-C stops."""
    from pipeline.kafka.admin import KafkaAdminError, ensure_topics
    from pipeline.kafka.producer import open_producer, stream_live

    config = settings()
    target = config.topic("events")
    try:
        ensure_topics(config, [target, config.topic("dead-letter")])
    except KafkaAdminError as exc:
        raise click.ClickException(str(exc)) from None
    console = Console(stderr=True)
    console.print(f"streaming simulated events to {target} at {speed:g}x real time (Ctrl-C stops)")
    producer = open_producer(config)
    try:
        summary = stream_live(producer, target, events, speed)
        console.print(f"sent {summary.sent:,} events in {summary.seconds:.1f} s")
    except KeyboardInterrupt:
        console.print("stopped")
    finally:
        producer.close()
