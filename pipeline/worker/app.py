"""The Faust app: one agent turning batches of Kafka messages into stored facts; one timer for live gauges.

Chain per batch (``consumer.BatchConsumer``: ``batch_max_events`` messages or
``batch_max_seconds`` after the first, whichever first):

    decode/validate -> pseudonymise -> dedupe -> assemble   (pipeline.core.intake, pure)
    -> dead letters to the dead-letter topic, delivery awaited
    -> flush: merge with the stored contact states, write    (pipeline.ingest.writer, as replay)
    -> rebuild the touched 15-minute queue intervals         (pipeline.store.queue_intervals, as replay)
    -> commit the batch's offsets                            (consumer.BatchConsumer)

The consumer hands each batch to the ``ingest`` agent as one item on an
in-memory channel, with a future the agent resolves once the batch is stored;
only then are its offsets committed, in the order the batches were read.  The
agent does a batch's intake on the event loop and its flush on the store
thread, so batch N+1's intake overlaps batch N's flush (at most two batches in
hand, ``consumer.IN_FLIGHT``).  A crash (SIGKILL) before that re-delivers
the batch; the merge and the store are idempotent, so the re-delivery changes no
number.  A flush that keeps failing, or any error in the chain, ends the process
(exit 70) without committing.

Contact state lives in the store, not in a Faust table: ``flush`` merges each
batch with the stored state of its contacts, which is exact for late events
(a survey hours later), survives restarts and rebalances with no changelog to
restore, and works for any number of workers.  The duplicate filter is a
bounded in-memory set (``seen.BoundedSeen``): it only feeds the duplicate
counter and saves work; correctness rests on idempotence.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from collections.abc import Awaitable
from typing import Any, NoReturn

import faust

from pipeline.core.intake import Batch, Intake
from pipeline.ingest.writer import flush
from pipeline.settings import Settings
from pipeline.store import queue_intervals
from pipeline.store.store import Store
from pipeline.worker import batching
from pipeline.worker.consumer import BatchConsumer
from pipeline.worker.gauges import compute_live
from pipeline.worker.metrics import WorkerMetrics
from pipeline.worker.seen import BoundedSeen

log = logging.getLogger("cckpi.worker")

EXIT_STORE_FAILED = 70
FLUSH_ATTEMPTS = 8  # ~1+2+4+5*5 s of retries: a ClickHouse restart, not an outage


class Sink:
    """The blocking end: the store, on its own thread so the event loop keeps Kafka's heartbeats."""

    def __init__(self, settings: Settings, metrics: WorkerMetrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.store = Store.open(settings.store_url)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cckpi-flush")

    def _flush(self, batch: Batch) -> float:
        delay = 1.0
        for attempt in range(1, FLUSH_ATTEMPTS + 1):
            began = time.perf_counter()
            try:
                # then the 15-minute queue aggregates of the intervals it touched
                offered = flush(self.store, batch, self.metrics.time_conflicts.inc)
                queue_intervals.refresh(self.store, self.settings, queue_intervals.touched(offered, self.settings))
                return time.perf_counter() - began
            except Exception as exc:  # noqa: BLE001 - any store error is retried, then fatal
                if attempt == FLUSH_ATTEMPTS:
                    raise
                log.warning("store flush failed (attempt %d/%d, retrying in %.0f s): %s",
                            attempt, FLUSH_ATTEMPTS, delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")

    def submit(self, batch: Batch) -> Future[float]:
        """Queue the flush on the store thread: one thread, so flushes run in the order batches were read."""
        return self.executor.submit(self._flush, batch)

    async def stored(self, future: Future[float], batch: Batch) -> None:
        """Wait for a submitted flush; a cancelled caller still waits, so the store is never closed mid-write."""
        try:
            seconds = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            _finish_or_die(future)
            raise
        self.metrics.batch_seconds.observe(seconds)
        now_s = time.time()
        observe = self.metrics.latency.observe
        for _event, ts_ms, _raw in batch.accepted:
            observe(max(0.0, now_s - ts_ms / 1000.0))


def _finish_or_die(future: Future[float]) -> None:
    try:
        future.result()
    except Exception as exc:  # noqa: BLE001
        _die(f"store flush failed while stopping, exiting without committing offsets: {exc}")


def _die(message: str, code: int = EXIT_STORE_FAILED) -> NoReturn:
    """Exit at once: no Faust shutdown, so nothing un-stored gets committed."""
    log.critical(message)
    logging.shutdown()
    os._exit(code)


class Clock:
    """"Now" for the live gauges: the wall clock, or the newest contact/agent event time seen (``events``)."""

    def __init__(self, mode: str) -> None:
        if mode not in ("wall", "events"):
            raise ValueError(f"clock {mode!r}: use wall or events")
        self.mode = mode
        self.newest_ms: int | None = None

    def seen(self, ts_ms: int | None) -> None:
        if ts_ms is not None and (self.newest_ms is None or ts_ms > self.newest_ms):
            self.newest_ms = ts_ms

    def now_ms(self, store: Store) -> int | None:
        if self.mode == "wall":
            return int(time.time() * 1000)
        if self.newest_ms is None:  # restarted with nothing new to read: start from what is stored
            result = store.engine.query(f"SELECT count() AS n, max(ts_ms) AS newest FROM {store.db}.events "
                                        f"WHERE type = 'agent.state' OR type LIKE 'contact.%'")
            if result["n"] and result["n"][0]:
                self.newest_ms = int(result["newest"][0])
        return self.newest_ms


@dataclass
class Work:
    """One batch on its way through the agent; ``stored`` resolves when its offsets may be committed."""

    messages: list[batching.Record]
    stored: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


def build_app(settings: Settings, clock: Clock, metrics: WorkerMetrics, sink: Sink, gauge_store: Store,
              gauge_interval_s: float = 5.0) -> faust.App:
    """The app: ``sink`` and ``gauge_store`` are opened (and migrated) before any message is read."""
    brokers = [f"kafka://{host.strip()}" for host in settings.kafka_bootstrap.split(",") if host.strip()]
    app = faust.App(
        # Faust's own consumer (its assignor topic) must not join the events group: BatchConsumer's
        # plain Kafka protocol and Faust's assignor cannot share one group.
        f"{settings.worker_group}.faust",
        broker=brokers,
        store="memory://",
        web_enabled=False,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        producer_acks=-1,
    )
    batches = app.channel()  # in memory: Python objects, no serialisation
    dead_letter_topic = app.topic(settings.topic("dead-letter"), key_type=bytes, value_type=bytes,
                                  key_serializer="raw", value_serializer="raw")

    @app.agent(batches)
    async def ingest(stream: faust.StreamT[Work]) -> None:
        """Intake now, store on the store thread: the next batch's intake overlaps this batch's flush."""
        from pipeline.core.pseudonym import pseudonymiser
        from pipeline.secrets import pseudonym_key

        intake = Intake(pseudonymiser(pseudonym_key(settings)), seen=BoundedSeen())
        storing: set[asyncio.Task[None]] = set()
        async for work in stream:
            try:
                done = batching.process(intake, work.messages)
                if done.dead_letters:
                    sent = [await dead_letter_topic.send(value=body) for body in done.dead_letters]
                    await asyncio.gather(*sent)
            except asyncio.CancelledError:
                work.stored.cancel()  # stopping: the batch stays uncommitted and is read again on restart
                raise
            except Exception as exc:  # noqa: BLE001 - the consumer dies on it, committing nothing
                work.stored.set_exception(exc)
                continue
            task = asyncio.ensure_future(_store(work, done, sink.submit(done.batch)))
            storing.add(task)
            task.add_done_callback(storing.discard)

    async def _store(work: Work, done: batching.Processed, flushing: Future[float]) -> None:
        try:
            await sink.stored(flushing, done.batch)
        except asyncio.CancelledError:
            work.stored.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - the consumer dies on it, committing nothing
            work.stored.set_exception(exc)
            return
        metrics.count(done.consumed, done.rejected, done.duplicates)
        clock.seen(done.newest_ts_ms)
        work.stored.set_result(None)

    async def submit(messages: list[batching.Record]) -> Awaitable[None]:
        work = Work(messages)
        await batches.send(value=work)
        return work.stored

    def on_failure(exc: BaseException) -> NoReturn:
        _die(f"batch failed, exiting without committing its offsets: {exc!r}")

    consumer = BatchConsumer(settings, submit, on_failure,
                             on_committed=lambda offsets, kafka: _record_lag(metrics, offsets, kafka))

    @app.task
    async def consume() -> None:
        try:
            await consumer.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - Kafka gone for good: stop rather than sit idle and look alive
            _die(f"Kafka consumer failed: {exc!r}")

    @app.timer(interval=gauge_interval_s)
    async def live_gauges() -> None:
        loop = asyncio.get_running_loop()
        try:
            now_ms = await loop.run_in_executor(None, clock.now_ms, gauge_store)
            if now_ms is not None:
                metrics.live.snapshot = await loop.run_in_executor(None, compute_live, gauge_store, settings, now_ms)
        except Exception as exc:  # noqa: BLE001 - gauges are best effort; the next tick tries again
            log.warning("live gauges not refreshed: %s", exc)

    return app


def _record_lag(metrics: WorkerMetrics, next_offsets: dict[Any, int], kafka: Any) -> None:
    """Messages behind the end of each partition just committed (keys are aiokafka ``TopicPartition``s)."""
    for tp, next_offset in next_offsets.items():
        highwater = kafka.highwater(tp)
        if highwater is not None:
            metrics.lag.labels(tp.topic, str(tp.partition)).set(max(0, highwater - next_offset))
