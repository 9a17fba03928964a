"""``run_worker``: the blocking entry point shared by ``cckpi worker`` and ``cckpi demo --live``.

Order matters: topics and the store schema exist before Faust subscribes, so a
fresh topic prefix and a fresh database work with no other set-up step.
SIGTERM and Ctrl-C stop Faust cleanly (mode's worker handles both): the
offsets of batches already stored are committed; a batch still being written is
finished but not committed, so it is read again after a restart (the store is
idempotent); then the function returns.
"""

from __future__ import annotations

import logging

from pipeline.kafka.admin import ensure_topics
from pipeline.settings import Settings
from pipeline.store.store import Store
from pipeline.worker.faust_app import build_app, faust_topics
from pipeline.worker.clock import Clock
from pipeline.worker.sink import Sink
from pipeline.worker.exporter import WorkerMetrics
from pipeline.outage import Outage, quiet

log = logging.getLogger("cckpi.worker")


def run_worker(settings: Settings, clock: str = "wall", *, gauge_interval_s: float = 5.0,
               loglevel: str = "warning") -> None:
    """Consume ``<prefix>.events`` into the store until stopped; serve metrics on ``worker_metrics_port``.

    ``clock``: ``wall`` (live gauges over the trailing window ending now) or
    ``events`` (ending at the newest event time seen, for replays of past data).
    Call it from the main thread (Faust installs its SIGTERM/SIGINT handlers
    there); a caller that must keep its own main loop runs ``cckpi worker`` as a
    subprocess instead and stops it with SIGTERM.
    """
    import faust

    live_clock = Clock(clock)
    ensure_topics(settings, [settings.topic("events"), settings.topic("dead-letter")])
    for name, partitions in faust_topics(settings).items():
        ensure_topics(settings, [name], partitions=partitions)
    metrics = WorkerMetrics()
    store_outage, kafka_outage = Outage(f"the store ({_where(settings.store_url)})"), \
        Outage(f"Kafka ({settings.kafka_bootstrap})")
    sink = Sink(settings, metrics, store_outage)
    gauge_store = Store.open(settings.store_url, migrate_schema=False)
    app = build_app(settings, live_clock, metrics, sink, gauge_store, gauge_interval_s, kafka_outage)
    # the libraries' own connection errors count as retries of an outage instead of flooding the log
    quiet(("clickhouse_driver",), store_outage)
    quiet(("aiokafka", "faust.transport"), kafka_outage)
    metrics.serve(settings.worker_metrics_port, settings.worker_metrics_host)
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    finally:
        sink.stopping.set()
        sink.close()
        gauge_store.close()


def _where(store_url: str) -> str:
    """host:port/database of a server store, for the outage lines (never the password)."""
    from pipeline.store.store_url import parse_url

    parsed = parse_url(store_url)
    return f"{parsed.host}:{parsed.port}/{parsed.database}" if parsed.path is None else str(parsed.path)
