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
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.pseudonym_key import pseudonym_key

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
                            stop=lambda: bool(stopping), watcher=metrics, outage=kafka_outage,
                            pseudonymise=pseudonymiser(pseudonym_key(config)))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        producer.close()
    console.print(f"stopped: {counts.lines:,} lines -> {counts.events:,} events, "
                  f"{counts.dead_letters:,} dead letters, {counts.checkpoints:,} checkpoints")


@follow.command(name="freeswitch-esl",
                short_help="Follow FreeSWITCH mod_callcenter over the event socket into Kafka.")
@click.option("--host", default="127.0.0.1", show_default=True, help="the switch's event socket address")
@click.option("--port", type=click.IntRange(1, 65535), default=8021, show_default=True)
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="file holding the event socket password (event_socket.conf.xml), never on the command line")
@click.option("--checkpoint", "checkpoint_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="the publisher's checkpoint; the spool is beside it (default: in CCKPI_DATA_DIR)")
@click.option("--metrics-port", type=click.IntRange(0, 65535), default=None,
              help="serve Prometheus metrics on this port (default: follow_metrics_port, 19101; 0: none)")
def freeswitch_esl(host: str, port: int, password_file: Path, checkpoint_path: Path | None,
                   metrics_port: int | None) -> None:
    """Read mod_callcenter's events (CUSTOM callcenter::info) from the event socket, map them as
    `cckpi import freeswitch-cdr` maps the CDRs, and publish them to Kafka.

    Reading never waits on Kafka: events go to a local spool file first
    (fsync'd), are published from it and checkpointed after Kafka acknowledged
    them.  A lost connection is retried; after each connection the calls still
    queued are reconciled from `callcenter_config queue list members`.  Mapping
    rules: docs/importers.md.
    """
    import threading

    from pipeline.importers.follow_freeswitch import Spool, SpoolLines, SwitchReader
    from pipeline.importers.follow_metrics import FollowMetrics
    from pipeline.importers.follow_queue_log import Checkpoint, KafkaPublisher, follow as run_follow
    from pipeline.kafka.admin import KafkaAdminError, ensure_topics
    from pipeline.kafka.producer import open_producer
    from pipeline.outage import Outage, quiet
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.pseudonym_key import pseudonym_key

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)
    password = password_file.read_text(encoding="utf-8").strip()
    if not password:
        raise click.BadParameter(f"{password_file} is empty: write the event socket password in it",
                                 param_hint="--password-file")
    config = settings(follow_metrics_port=metrics_port)
    if checkpoint_path is None:
        checkpoint_path = Path(config.data_dir) / "follow" / f"freeswitch-{host}-{port}.checkpoint.json"
    checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
    spool_path = checkpoint_path.with_name(checkpoint_path.name + ".spool").resolve()
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
        resumed_at, _ = checkpoint.load(spool_path)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    spool = Spool(spool_path)
    metrics = FollowMetrics(spool_path, resumed_at)
    try:
        metrics.serve(config.follow_metrics_port, config.worker_metrics_host)
    except OSError as exc:
        raise click.ClickException(f"follow_metrics_port {config.follow_metrics_port}: {exc.strerror}; "
                                   "choose another with --metrics-port or CCKPI_FOLLOW_METRICS_PORT") from None
    reader = SwitchReader(host, port, password, spool, stop=lambda: bool(stopping),
                          pseudonymise=pseudonymiser(pseudonym_key(config)))

    def stop() -> bool:  # the publisher stops too when the switch refused the password
        return bool(stopping) or reader.refused is not None

    thread = threading.Thread(target=reader.run, name="esl-reader", daemon=True)
    thread.start()
    console = Console(stderr=True)
    console.print(f"following FreeSWITCH {host}:{port} -> {events_topic} (spool {spool_path})")
    producer = open_producer(config)
    kafka_outage = Outage(f"Kafka ({config.kafka_bootstrap})")
    quiet(("kafka",), kafka_outage)
    try:
        counts = run_follow(spool_path, checkpoint, KafkaPublisher(producer, events_topic, dead_topic),
                            stop=stop, watcher=metrics, outage=kafka_outage,
                            lines_of=lambda _state: SpoolLines())
    finally:
        producer.close()
        thread.join(timeout=5)
        spool.close()
    if reader.refused is not None:
        raise click.ClickException(reader.refused)
    console.print(f"stopped: {counts.events:,} events, {counts.dead_letters:,} dead letters published, "
                  f"{reader.connections:,} connections")
