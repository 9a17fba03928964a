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

A worker that has caught up also lays each local day's agent time once the day
is over (``agent_time_blocks``: laid when read otherwise), so the month's first
report or payroll close finds its days laid: at 50M contacts a month, laying a
whole month at the first read is minutes, a day at midnight is seconds of this
thread.  Not while catching up: a backlog's days are laid by whoever reads them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from pipeline.core import intervals
from pipeline.settings import Settings
from pipeline.store import agent_time_blocks, queue_intervals, stale_intervals
from pipeline.store.store import Store

log = logging.getLogger("cckpi.worker")
LAY_DAYS = 2


class Refresher:
    def __init__(self, store: Store, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.pending: set[int] = set()  # touched, not rebuilt yet
        self.marked: set[int] = set()  # of those, the ones written to stale_intervals
        self.since: float | None = None  # when the oldest pending interval was deferred
        self.newest_day: int | None = None  # the newest local day (start, epoch ms) a caught-up batch touched

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
        if not full:
            self.lay_finished_days(touched)

    def lay_finished_days(self, touched: set[int]) -> None:
        """The local days that ended since the newest day this worker saw touched (at most ``LAY_DAYS``: a
        contact with a clock years ahead lays no years) get their agent time laid and kept."""
        if not touched:
            return
        zone = self.settings.zone
        newest = intervals.floor_ms(max(touched), "1d", zone)
        seen, self.newest_day = self.newest_day, max(newest, self.newest_day or newest)
        if seen is None or newest <= seen:  # the first day this worker sees: earlier ones are laid when read
            return
        for day in agent_time_blocks.days_of(seen, newest, self.settings)[-LAY_DAYS:]:
            agent_time_blocks.agent_time(self.store, self.settings, day.start_ms, day.end_ms, daily=True)
            log.info("laid the agent time of %s", intervals.iso(day.start_ms, zone)[:10])

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
