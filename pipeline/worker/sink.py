"""The blocking end of the worker: the chain's store steps on a thread of its own and its refresh step on
another, retried through outages (the ``Refresher`` is the worker's refresh step).

The event loop must keep answering Kafka's heartbeats while ClickHouse
writes, so flushes run on store threads, in the order batches were read: a
batch's events on one and its contacts on another at once (two independent
writes, each on its own connection; the events are the larger one).
The rebuild of the 15-minute aggregates a flush touched runs on a refresh
thread of its own (its own connection), also in read order: it costs as much
as the write and more (0.3-1 s for a few events on a busy 2-core machine),
and the next batch's write must not wait for it, or the live agent grid lags
by it.  A batch is released (its offsets committed) only after both.  (The
worker runs on ClickHouse server only: ``cckpi worker`` refuses chDB.)
A store that cannot be reached is waited for, as long as it takes, with the
outage logged once when it begins and once when it ends (``outage.Outage``);
a flush that keeps failing for another reason ends the process (exit 70)
without committing, so Kafka re-delivers the batch to the next worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from operator import itemgetter
from typing import NoReturn

from pipeline.core.intake import Batch
from pipeline.settings import Settings
from pipeline.store.store import Store
from pipeline.worker.exporter import WorkerMetrics
from pipeline.outage import Outage, is_unreachable
from pipeline.worker.refresher import Refresher

log = logging.getLogger("cckpi.worker")

EXIT_STORE_FAILED = 70
FLUSH_ATTEMPTS = 8  # ~1+2+4+5*5 s of retries of a flush that fails with the store reachable
RETRY_MAX_S = 5.0


class Sink:
    """The blocking end: the store, on its own thread so the event loop keeps Kafka's heartbeats."""

    def __init__(self, settings: Settings, metrics: WorkerMetrics, outage: Outage | None = None) -> None:
        self.settings = settings
        self.metrics = metrics
        self.outage = outage or Outage("the store")
        self.stopping = threading.Event()  # set when the worker stops: an outage is no longer waited out
        self.store = Store.open(settings.store_url)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cckpi-flush")
        self.events_store = Store.open(settings.store_url, migrate_schema=False)
        self.writing_events = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cckpi-events")
        self.refresh_store = Store.open(settings.store_url, migrate_schema=False)
        self.refreshing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cckpi-refresh")
        self.refresher = Refresher(self.refresh_store, settings)  # only ever called on the refresh thread
        self._recovered: Future[float] | None = None
        self._overdue_check: Future[float] | None = None

    def _refresh_after(self, events: Future[float], stored: Future[float], steps: Callable[[], None]) -> float:
        """On the refresh thread: once the batch is stored (events and contacts), its refresh step; seconds taken
        by the contacts' write and the refresh.

        A recovery queued before it ran first (one thread, in order): if it failed, the batch fails,
        so the worker dies before committing more.  (The store threads never wait for this thread,
        so they cannot wait for each other.)"""
        seconds = stored.result()  # raises if the flush failed: nothing of the batch is committed
        events.result()
        if self._recovered is not None and self._recovered.done():
            self._recovered.result()
        return seconds + self._retrying(steps)

    def _retrying(self, step: Callable[[], None]) -> float:
        """Run ``step``; wait out an outage of the store however long it lasts (nothing is committed
        meanwhile, so Kafka keeps the messages); give up after ``FLUSH_ATTEMPTS`` other failures."""
        delay = 1.0
        failures = 0
        while True:
            began = time.perf_counter()
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - unreachable: retried while it lasts; others: retried, then fatal
                if is_unreachable(exc) and not self.stopping.is_set():
                    self.outage.failed(exc)
                else:
                    failures += 1
                    if failures >= FLUSH_ATTEMPTS or self.stopping.is_set():
                        raise
                    log.warning("store flush failed (attempt %d/%d, retrying in %.0f s): %s",
                                failures, FLUSH_ATTEMPTS, delay, exc)
                self.stopping.wait(delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            self.outage.ok()
            return time.perf_counter() - began

    def recover(self) -> None:
        """Queue the rebuild of what other workers deferred and left (``Refresher.recover``).

        Called at every partition assignment, the first one included: a worker
        that dies hands its partitions to the others through a rebalance, so the
        survivors rebuild what it had deferred, not only the next worker to start.
        On the refresh thread, so before the refresh of any batch of the new assignment."""
        try:
            self._recovered = self.refreshing.submit(self._retrying, self.refresher.recover)
        except RuntimeError:  # shut down meanwhile: the next worker's assignment recovers
            return

    def submit(self, events: Callable[[], None], store: Callable[[], None],
               refresh: Callable[[], None]) -> Future[float]:
        """Queue a batch's events step on the events thread and its contact steps on the store thread, at once
        (the two writes are independent; each on its own connection), and its refresh step on the refresh
        thread, to run once both returned; one thread each, so each runs in the order batches were read.  The
        future resolves when all are done."""
        written = self.writing_events.submit(self._retrying, events)
        stored = self.executor.submit(self._retrying, store)
        return self.refreshing.submit(self._refresh_after, written, stored, refresh)

    def rebuild_overdue(self) -> None:
        """Queue a rebuild of the intervals deferred for longer than ``catch_up_refresh_s``: a backlog that
        ended on a full batch leaves no next batch to trigger it (the app's timer calls this every second)."""
        if self.stopping.is_set() or (self._overdue_check is not None and not self._overdue_check.done()):
            return  # one check queued at most: a flush waiting out an outage must not pile up a check a second
        try:
            self._overdue_check = self.refreshing.submit(self._retrying, self.refresher.rebuild_overdue)
        except RuntimeError:  # shut down meanwhile: close() rebuilds what is left
            return
        self._overdue_check.add_done_callback(_log_failure)

    def close(self) -> None:
        """After the last flush: rebuild the deferred intervals (once; a store that fails leaves them marked
        stale for the workers that take over the partitions), then close the store."""
        self.writing_events.shutdown(wait=True)
        self.executor.shutdown(wait=True)
        self.refreshing.shutdown(wait=True)
        try:
            self.refresher.rebuild()
        except Exception as exc:  # noqa: BLE001 - stopping anyway; stale_intervals keeps what is left
            log.warning("the deferred 15-minute aggregates were not rebuilt (the partitions' next owner will): %s", exc)
        self.refresh_store.close()
        self.events_store.close()
        self.store.close()

    async def stored(self, future: Future[float], batch: Batch) -> None:
        """Wait for a submitted flush; a cancelled caller still waits, so the store is never closed mid-write."""
        try:
            seconds = await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            self.stopping.set()  # stopping: a flush waiting out an outage gives up (exit 70, nothing committed)
            _finish_or_die(future)
            raise
        self.metrics.batch_seconds.observe(seconds)
        self.metrics.latency.observe_ages(int(time.time() * 1000), map(itemgetter(1), batch.accepted))


def _log_failure(future: Future[float]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("deferred 15-minute aggregates not rebuilt (the next batch tries again): %s",
                    future.exception())


def _finish_or_die(future: Future[float]) -> None:
    try:
        future.result()
    except Exception as exc:  # noqa: BLE001
        die(f"store flush failed while stopping, exiting without committing offsets: {exc}")


def die(message: str, code: int = EXIT_STORE_FAILED) -> NoReturn:
    """Exit at once: no Faust shutdown, so nothing un-stored gets committed."""
    log.critical(message)
    logging.shutdown()
    os._exit(code)
