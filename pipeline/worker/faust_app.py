"""The Faust app: the worker wired from its parts.

    consumer.BatchConsumer   reads batches from ``<prefix>.events``, commits them once stored, in order
    agent.IngestAgent        the chain (``pipeline.ingest.chain``) per batch, with the worker's ends, as the ``ingest`` agent
    sink.Sink                the store half on its own thread, waiting out store outages
    gauges / exporter        live gauges every few seconds and the health counters for Prometheus

Contact state lives in the store, not in a Faust table: each flush merges
with the stored state of its contacts, which is exact for late events (a
survey hours later), survives restarts and rebalances with no changelog to
restore, and works for any number of workers.  The duplicate filter is a
bounded in-memory set (``seen.BoundedSeen``): it only feeds the duplicate
counter and saves work; correctness rests on idempotence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, NoReturn

import faust

from pipeline.core.intake import Intake
from pipeline.settings import Settings
from pipeline.store.store import Store
from pipeline.worker import batching
from pipeline.worker.agent import IngestAgent, Work, worker_chain
from pipeline.worker.clock import Clock
from pipeline.worker.consumer import BatchConsumer
from pipeline.worker.exporter import WorkerMetrics
from pipeline.worker.gauges import compute_live
from pipeline.outage import Outage, is_unreachable
from pipeline.worker.seen import BoundedSeen
from pipeline.worker.sink import Sink, die

log = logging.getLogger("cckpi.worker")


def build_app(settings: Settings, clock: Clock, metrics: WorkerMetrics, sink: Sink, gauge_store: Store,
              gauge_interval_s: float = 5.0, kafka_outage: Outage | None = None) -> faust.App:
    """The app: ``sink`` and ``gauge_store`` are opened (and migrated) before any message is read."""
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.pseudonym_key import pseudonym_key

    brokers = [f"kafka://{host.strip()}" for host in settings.kafka_bootstrap.split(",") if host.strip()]
    app = faust.App(
        # Faust's own consumer (its assignor topic) must not join the events group: BatchConsumer's
        # plain Kafka protocol and Faust's assignor cannot share one group.
        faust_app_id(settings),
        broker=brokers,
        store="memory://",
        web_enabled=False,
        # Faust would create its topics through the controller its metadata names, and fails at start while
        # that broker is dead; run_worker creates them beforehand (kafka.admin, which finds the live controller)
        topic_allow_declare=False,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        producer_acks=-1,
    )
    batches = app.channel()  # in memory: Python objects, no serialisation
    dead_letter_topic = app.topic(settings.topic("dead-letter"), key_type=bytes, value_type=bytes,
                                  key_serializer="raw", value_serializer="raw")
    intake = Intake(pseudonymiser(pseudonym_key(settings)), seen=BoundedSeen())
    chain = worker_chain(intake, sink, lambda body: dead_letter_topic.send(value=body), metrics, clock)
    agent = IngestAgent(chain, sink)
    app.agent(batches, name="ingest")(agent.run)

    async def submit(messages: list[batching.Record]) -> Awaitable[None]:
        work = Work(messages)
        await batches.send(value=work)
        return work.stored

    consumer = BatchConsumer(settings, submit, _batch_failed,
                             on_committed=lambda offsets, kafka: _record_lag(metrics, offsets, kafka),
                             outage=kafka_outage, on_assigned=sink.recover)
    app.task(_consume_or_die(consumer))
    app.timer(interval=gauge_interval_s)(_gauges_refresher(settings, clock, metrics, sink, gauge_store))
    app.timer(interval=1.0)(_overdue_rebuilds(sink))
    return app


def faust_app_id(settings: Settings) -> str:
    return f"{settings.worker_group}.faust"


def faust_topics(settings: Settings) -> dict[str, int]:
    """The topics Faust itself uses (name -> partitions): its leader assignor's, named as Faust names it."""
    return {f"{faust_app_id(settings)}-__assignor-__leader": 1}


def _batch_failed(exc: BaseException) -> NoReturn:
    die(f"batch failed, exiting without committing its offsets: {exc!r}")


def _consume_or_die(consumer: BatchConsumer) -> Any:
    async def consume() -> None:
        try:
            await consumer.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - Kafka gone for good: stop rather than sit idle and look alive
            die(f"Kafka consumer failed: {exc!r}")
    return consume


def _gauges_refresher(settings: Settings, clock: Clock, metrics: WorkerMetrics, sink: Sink, store: Store) -> Any:
    async def live_gauges() -> None:
        loop = asyncio.get_running_loop()
        try:
            now_ms = await loop.run_in_executor(None, clock.now_ms, store)
            if now_ms is not None:
                metrics.live.snapshot = await loop.run_in_executor(None, compute_live, store, settings, now_ms)
        except Exception as exc:  # noqa: BLE001 - gauges are best effort; the next tick tries again
            if is_unreachable(exc):
                sink.outage.failed(exc)  # the same server as the flush: one outage, logged once
            else:
                log.warning("live gauges not refreshed: %s", exc)
        else:
            sink.outage.ok()
    return live_gauges


def _overdue_rebuilds(sink: Sink) -> Any:
    async def overdue_rebuilds() -> None:
        sink.rebuild_overdue()
    return overdue_rebuilds


def _record_lag(metrics: WorkerMetrics, next_offsets: dict[Any, int], kafka: Any) -> None:
    """Messages behind the end of each partition just committed (keys are aiokafka ``TopicPartition``s)."""
    for tp, next_offset in next_offsets.items():
        highwater = kafka.highwater(tp)
        if highwater is not None:
            metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, highwater - next_offset))
