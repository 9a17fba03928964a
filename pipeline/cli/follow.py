"""``cckpi follow``: live sources into Kafka, resumable after a crash."""

from __future__ import annotations

import hashlib
import logging
import signal
from pathlib import Path

import click
from rich.console import Console

from pipeline.cli.command_context import settings


@click.group()
def follow() -> None:
    """Follow a live source and publish its events to Kafka (<prefix>.events)."""


@follow.command(name="asterisk-queue-log",
                short_help="Follow a growing Asterisk queue_log (like tail -F) into Kafka.")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--checkpoint", "checkpoint_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="file holding the position and the open calls (default: in CCKPI_DATA_DIR, one per PATH)")
@click.option("--metrics-port", type=click.IntRange(0, 65535), default=None,
              help="serve Prometheus metrics on this port (default: follow_metrics_port, 19101; 0: none)")
def asterisk_queue_log(path: Path, checkpoint_path: Path | None, metrics_port: int | None) -> None:
    """Map every new line of PATH as `cckpi import asterisk-queue-log` does and publish it to Kafka.

    Survives rotation and truncation.  The checkpoint is written only after
    Kafka acknowledged the lines before it, so the follower can be killed at
    any moment and restarted with no event lost (a re-sent event is a
    duplicate the worker drops).  Lines that cannot be mapped go to
    <prefix>.dead-letter with their line number and reason.  While Kafka is
    away, the batch in hand is sent again until it is acknowledged (logged
    when the outage begins and ends).  SIGTERM or Ctrl-C stops after the
    batch in hand, or at once during an outage (a restart sends it again).
    """
    from pipeline.importers.follow_metrics import FollowMetrics
    from pipeline.importers.follow_queue_log import Checkpoint, KafkaPublisher, follow as run_follow
    from pipeline.kafka.admin import KafkaAdminError, ensure_topics
    from pipeline.kafka.producer import open_producer
    from pipeline.outage import Outage, quiet

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)  # connection chatter; our own lines say what happens
    config = settings(follow_metrics_port=metrics_port)
    log_path = path.resolve()
    if checkpoint_path is None:
        tag = hashlib.sha256(str(log_path).encode()).hexdigest()[:12]
        checkpoint_path = Path(config.data_dir) / "follow" / f"{log_path.name}-{tag}.checkpoint.json"
    checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    events_topic, dead_topic = config.topic("events"), config.topic("dead-letter")
    try:
        ensure_topics(config, [events_topic, dead_topic])
    except KafkaAdminError as exc:
        raise click.ClickException(str(exc)) from None
    stopping: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: stopping.append(number))
    checkpoint = Checkpoint(checkpoint_path)
    try:
        resumed_at, _open_calls = checkpoint.load(log_path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    metrics = FollowMetrics(log_path, resumed_at)
    try:
        metrics.serve(config.follow_metrics_port, config.worker_metrics_host)
    except OSError as exc:
        raise click.ClickException(f"follow_metrics_port {config.follow_metrics_port}: {exc.strerror}; "
                                   "choose another with --metrics-port or CCKPI_FOLLOW_METRICS_PORT") from None
    console = Console(stderr=True)
    console.print(f"following {log_path} -> {events_topic} (checkpoint {checkpoint_path}"
                  + (f", metrics on :{config.follow_metrics_port}" if config.follow_metrics_port else "") + ")")
    producer = open_producer(config)
    kafka_outage = Outage(f"Kafka ({config.kafka_bootstrap})")
    quiet(("kafka",), kafka_outage)  # the client's connection errors while Kafka is away: one outage, logged twice
    try:
        counts = run_follow(log_path, checkpoint, KafkaPublisher(producer, events_topic, dead_topic),
                            stop=lambda: bool(stopping), watcher=metrics, outage=kafka_outage)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        producer.close()
    console.print(f"stopped: {counts.lines:,} lines -> {counts.events:,} events, "
                  f"{counts.dead_letters:,} dead letters, {counts.checkpoints:,} checkpoints")
