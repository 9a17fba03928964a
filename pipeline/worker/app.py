"""The Faust app: one agent on the events topic, batching into the store; one timer for live gauges.

Chain per batch (``stream.take_events``: ``batch_max_events`` or
``batch_max_seconds``, whichever first):

    decode/validate -> pseudonymise -> dedupe -> assemble   (pipeline.core.intake, pure)
    -> dead letters to the dead-letter topic, delivery awaited
    -> flush: merge with the stored contact states, write    (pipeline.ingest.writer, as replay)
    -> rebuild the touched 15-minute queue intervals         (pipeline.store.queue_intervals, as replay)
    -> ack: ``take_events`` acks the batch's events when the loop comes back for more,
       and Faust commits only acked offsets.

So offsets are committed only after the write they cover succeeded.  A crash
(SIGKILL) before that re-delivers the batch; the merge and the store are
idempotent, so the re-delivery changes no number.  A flush that keeps failing
ends the process (exit 70) rather than letting Faust ack what was not stored.

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
from typing import NoReturn

import faust
from faust.types import TP

from pipeline.core.intake import Batch, Intake
from pipeline.ingest.writer import flush
from pipeline.settings import Settings
from pipeline.store import queue_intervals
from pipeline.store.store import Store
from pipeline.worker import batching
from pipeline.worker.gauges import compute_live
from pipeline.worker.metrics import WorkerMetrics
from pipeline.worker.seen import BoundedSeen

log = logging.getLogger("cckpi.worker")

EXIT_STORE_FAILED = 70
SESSION_TIMEOUT_S = 10.0
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
                span = flush(self.store, batch)
                if span is not None:  # the 15-minute queue aggregates of the intervals this batch touched
                    queue_intervals.refresh(self.store, self.settings, *span)
                return time.perf_counter() - began
            except Exception as exc:  # noqa: BLE001 - any store error is retried, then fatal
                if attempt == FLUSH_ATTEMPTS:
                    raise
                log.warning("store flush failed (attempt %d/%d, retrying in %.0f s): %s",
                            attempt, FLUSH_ATTEMPTS, delay, exc)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        raise AssertionError("unreachable")

    async def write(self, batch: Batch) -> None:
        """Flush on the store thread; never return (or be cancelled) with the batch half-stored."""
        future: Future[float] = self.executor.submit(self._flush, batch)
        try:
            seconds = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            # Stopping mid-flush: finish it, so the acks that follow cover stored events only.
            _finish_or_die(future)
            raise
        except Exception as exc:  # noqa: BLE001
            _die(f"store flush failed {FLUSH_ATTEMPTS} times, exiting without committing offsets: {exc}")
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
    """Exit at once: no Faust shutdown, so nothing un-stored gets acked and committed."""
    (log.critical if code else log.warning)(message)
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


def build_app(settings: Settings, clock: Clock, metrics: WorkerMetrics, sink: Sink, gauge_store: Store,
              gauge_interval_s: float = 5.0) -> faust.App:
    """The app: ``sink`` and ``gauge_store`` are opened (and migrated) before any message is read."""
    brokers = [f"kafka://{host.strip()}" for host in settings.kafka_bootstrap.split(",") if host.strip()]
    app = faust.App(
        settings.worker_group,
        broker=brokers,
        store="memory://",
        web_enabled=False,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        consumer_auto_offset_reset="earliest",
        stream_buffer_maxsize=16384,
        producer_acks=-1,
        # a SIGKILLed member holds its partitions until its session expires: keep that short
        broker_session_timeout=SESSION_TIMEOUT_S,
        broker_heartbeat_interval=3.0,
    )
    events_topic = app.topic(settings.topic("events"), key_type=bytes, value_type=bytes,
                             key_serializer="raw", value_serializer="raw")
    dead_letter_topic = app.topic(settings.topic("dead-letter"), key_type=bytes, value_type=bytes,
                                  key_serializer="raw", value_serializer="raw")

    @app.agent(events_topic)
    async def ingest(stream: faust.StreamT[bytes]) -> None:
        from pipeline.core.pseudonym import pseudonymiser
        from pipeline.secrets import pseudonym_key

        intake = Intake(pseudonymiser(pseudonym_key(settings)), seen=BoundedSeen())
        batches = stream.take_events(settings.batch_max_events, within=settings.batch_max_seconds)  # type: ignore[attr-defined]
        async for events in batches:
            messages = [batching.Message(e.value or b"", e.message.topic, e.message.partition, e.message.offset)
                        for e in events]
            stage = "intake"
            try:
                done = batching.process(intake, messages)
                stage = "dead letters"
                if done.dead_letters:
                    sent = [await dead_letter_topic.send(value=body) for body in done.dead_letters]
                    await asyncio.gather(*sent)
                stage = "store"
                await sink.write(done.batch)  # when cancelled, it finishes the flush before re-raising
            except asyncio.CancelledError:
                if stage != "store":  # leave before take_events can ack a batch that is not stored
                    _die(f"stopped during {stage}; the batch in hand will be re-delivered", code=0)
                raise
            except Exception as exc:  # noqa: BLE001 - a bug must not ack what was not stored
                _die(f"batch failed, exiting without committing its offsets: {exc!r}")
            metrics.count(done.consumed, done.rejected, done.duplicates)
            clock.seen(done.newest_ts_ms)
            _record_lag(app, metrics, done.next_offsets)
            # the loop now resumes take_events, which acks this batch's events

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


def _record_lag(app: faust.App, metrics: WorkerMetrics, next_offsets: dict[tuple[str, int], int]) -> None:
    for (topic, partition), next_offset in next_offsets.items():
        try:
            highwater = app.consumer.highwater(TP(topic, partition))
        except Exception:  # noqa: BLE001 - not known yet after a rebalance
            continue
        if highwater is not None:
            metrics.lag.labels(topic, str(partition)).set(max(0, highwater - next_offset))
