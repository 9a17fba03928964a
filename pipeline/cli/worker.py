"""``cckpi worker``: the streaming worker (Kafka -> the chain of ``pipeline.ingest.chain`` -> store, live gauges)."""

from __future__ import annotations

import click

from pipeline.cli.command_context import settings, store_option


@click.command()
@store_option
@click.option("--clock", type=click.Choice(["wall", "events"]), default="wall", show_default=True,
              help="live gauges' 'now': the wall clock, or the newest event time seen (replays of past data)")
@click.option("--gauge-interval", type=click.FloatRange(min=0.5), default=5.0, show_default=True,
              help="seconds between live gauge refreshes")
@click.option("--metrics-port", type=click.IntRange(0, 65535), default=None,
              help="Prometheus port (default: CCKPI_WORKER_METRICS_PORT, 19100; 0: none)")
@click.option("--loglevel", type=click.Choice(["debug", "info", "warning", "error"]), default="warning",
              show_default=True)
def worker(store_url: str | None, clock: str, gauge_interval: float, metrics_port: int | None, loglevel: str) -> None:
    """Consume <CCKPI_TOPIC_PREFIX>.events into the store until SIGTERM or Ctrl-C.

    Batches of CCKPI_BATCH_MAX_EVENTS messages or CCKPI_BATCH_MAX_SECONDS seconds,
    or less once caught up;
    offsets are committed only after the batch is stored. Rejected messages go to
    <prefix>.dead-letter. Run more than one in the same group (CCKPI_CONSUMER_GROUP)
    to split the partitions.
    """
    from pipeline.kafka.admin import KafkaAdminError
    from pipeline.store.engines import StoreError
    from pipeline.worker.run import run_worker

    config = settings(store_url=store_url, worker_metrics_port=metrics_port)
    if config.store_url.startswith("chdb://"):
        raise click.UsageError("the worker needs ClickHouse server (CCKPI_STORE_URL=clickhouse://...): the embedded "
                               "store allows one process, and reports and gauges must read while the worker writes")
    try:
        run_worker(config, clock, gauge_interval_s=gauge_interval, loglevel=loglevel)
    except (KafkaAdminError, StoreError) as exc:
        raise click.ClickException(str(exc)) from None
