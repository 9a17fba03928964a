"""When the worker rebuilds the pre-aggregates: after each batch when it keeps up, less often when it catches up.

A rebuild costs about as much as the batch's own write, whatever the batch's
size, and a backlog is read in full batches: rebuilding after each one held a
catching-up worker at 23,715 events/s against 39,078 with this (medians of 3
``pipeline.bench.worker_ab`` runs of 400,000 events, same hour; 37,157 for 1M
events in ``cckpi bench --only stream``).  So while batches come in
full, the intervals they touch are collected and rebuilt together every
``catch_up_refresh_s``; a batch that is not full (the worker has caught up)
rebuilds at once whatever is collected, so live numbers keep the latency of
one batch.

A deferred interval is written to ``stale_intervals`` in the batch's own flush,
before its offsets are committed: if the worker dies, the rebalance that hands
its partitions to the others, or to the next worker to start, makes them
rebuild it (``recover``, at every partition assignment), and a worker that
stops cleanly rebuilds what it holds (``rebuild``).  Nothing here is shared
with another thread: the sink's refresh thread calls every method (through its
own store connection, so the next batch's write does not wait for a rebuild).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from pipeline.settings import Settings
from pipeline.store import queue_intervals, stale_intervals
from pipeline.store.store import Store

log = logging.getLogger("cckpi.worker")


class Refresher:
    def __init__(self, store: Store, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.pending: set[int] = set()  # touched, not rebuilt yet
        self.marked: set[int] = set()  # of those, the ones written to stale_intervals
        self.since: float | None = None  # when the oldest pending interval was deferred

    def recover(self) -> None:
        """Rebuild what any worker deferred and did not rebuild yet (it died, or its rebuild failed), with
        this worker's own pending intervals.  A live worker's marks are rebuilt too, which is only early."""
        left = stale_intervals.stale(self.store)
        self.pending |= left
        self.marked |= left
        self.rebuild()
        if left:
            log.info("rebuilt %d deferred 15-minute intervals listed in stale_intervals", len(left))
        else:
            log.info("no deferred 15-minute intervals in stale_intervals")

    def after_flush(self, touched: set[int], full: bool) -> None:
        """The batch's contacts are written: rebuild their intervals now, or defer them while catching up.

        Safe to call again for the same batch after a failure: nothing pending
        is forgotten until its rebuild succeeded."""
        self.pending |= touched
        if full and self.settings.catch_up_refresh_s > 0 and not self._overdue():
            # every time, even when marked before: another worker's rebuild may have cleared the mark since
            stale_intervals.mark(self.store, touched, self.store.next_version())
            self.marked |= touched
            self.since = self.clock() if self.since is None else self.since
            return
        self.rebuild()

    def rebuild_overdue(self) -> None:
        """Rebuild if the window passed: a backlog that ended on a full batch has no next batch to do it."""
        if self._overdue():
            self.rebuild()

    def _overdue(self) -> bool:
        return self.since is not None and self.clock() - self.since >= self.settings.catch_up_refresh_s

    def rebuild(self) -> None:
        """Rebuild everything deferred (also what a worker that stops cleanly holds)."""
        if not self.pending:
            return
        version = self.store.next_version()  # before the facts are read: a write meanwhile stays marked
        queue_intervals.refresh(self.store, self.settings, self.pending)
        stale_intervals.clear(self.store, self.marked, version)
        self.pending, self.marked, self.since = set(), set(), None
