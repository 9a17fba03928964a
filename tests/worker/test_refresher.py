"""The worker's deferred rebuild (``Refresher``): while it catches up, intervals wait; none is ever lost.

Hand-worked: billing calls at 09:00 and 09:20 Shanghai time land in the 09:00
and 09:15 intervals.  Written as full batches (a backlog) inside the
catch-up window they are not in ``queue_intervals`` yet and are marked stale;
a batch that is not full, the window passing, a clean stop, or the next
worker's start after a crash rebuilds them, and then the pre-aggregates give
exactly the facts' numbers.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from pipeline.core.intake import Intake
from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.chain import flush
from pipeline.settings import load_settings
from pipeline.store import queue_intervals, stale_intervals
from pipeline.store.store import Store
from pipeline.worker.refresher import Refresher
from tests.fixtures.events import BASE, answered_call
from tests.fixtures.stores import TEST_KEY, report

SETTINGS = load_settings(tz="Asia/Shanghai", catch_up_refresh_s=10)
NINE = int(BASE.timestamp() * 1000)  # 09:00 local
QUARTER_PAST = NINE + 900_000


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _flush(store: Store, refresher: Refresher, events: list[dict[str, Any]], full: bool) -> None:
    """What the sink does with one batch."""
    intake = Intake(pseudonymiser(TEST_KEY))
    for item in events:
        intake.feed(orjson.dumps(item))
    refresher.after_flush(flush(store, refresher.settings, intake.take()), full)


def _offered(store: Store) -> dict[int, int]:
    """Offered contacts per billing interval in ``queue_intervals`` (tombstoned keys left out)."""
    rows = store.engine.query(f"SELECT toUInt32(interval_start) AS t, offered FROM {store.db}.queue_intervals "
                              f"FINAL WHERE queue = 'billing' AND offered > 0 ORDER BY t")
    return {int(t) * 1000: int(n) for t, n in zip(rows["t"], rows["offered"])}


def test_a_batch_that_is_not_full_rebuilds_at_once(store: Store) -> None:
    _flush(store, Refresher(store, SETTINGS, Clock()), answered_call("c1", 0, 12, 200), full=False)
    assert _offered(store) == {NINE: 1}
    assert stale_intervals.stale(store) == set()


def test_full_batches_wait_for_the_window_then_everything_is_rebuilt(store: Store) -> None:
    clock = Clock()
    refresher = Refresher(store, SETTINGS, clock)
    _flush(store, refresher, answered_call("c1", 0, 12, 200), full=True)
    clock.now += 9.9
    _flush(store, refresher, answered_call("c2", 1200, 40, 100), full=True)
    assert _offered(store) == {}
    assert stale_intervals.stale(store) == {NINE, QUARTER_PAST}
    clock.now += 0.1  # 10 s since the first deferral
    _flush(store, refresher, answered_call("c3", 60, 5, 50), full=True)
    assert _offered(store) == {NINE: 2, QUARTER_PAST: 1}
    assert stale_intervals.stale(store) == set()


def test_a_worker_that_died_leaves_its_deferred_intervals_to_the_next(store: Store) -> None:
    _flush(store, Refresher(store, SETTINGS, Clock()), answered_call("c1", 0, 12, 200), full=True)  # then killed
    assert _offered(store) == {}
    Refresher(store, SETTINGS, Clock()).recover()  # the next worker's start
    assert _offered(store) == {NINE: 1}
    assert stale_intervals.stale(store) == set()


def test_a_clean_stop_rebuilds_what_it_holds(store: Store) -> None:
    refresher = Refresher(store, SETTINGS, Clock())
    _flush(store, refresher, answered_call("c1", 1200, 12, 200), full=True)
    refresher.rebuild()
    assert _offered(store) == {QUARTER_PAST: 1}
    assert stale_intervals.stale(store) == set()


def test_a_failed_rebuild_forgets_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    refresher = Refresher(store, SETTINGS, clock)
    _flush(store, refresher, answered_call("c1", 0, 12, 200), full=True)
    real = queue_intervals.refresh

    def broken(*_args: Any) -> None:
        raise RuntimeError("ClickHouse said no")

    monkeypatch.setattr(queue_intervals, "refresh", broken)
    with pytest.raises(RuntimeError):
        _flush(store, refresher, answered_call("c2", 1200, 40, 100), full=False)
    assert stale_intervals.stale(store) == {NINE}  # still marked: a worker dying now leaves it to the next
    monkeypatch.setattr(queue_intervals, "refresh", real)
    _flush(store, refresher, answered_call("c2", 1200, 40, 100), full=False)  # the sink's retry of the batch
    assert _offered(store) == {NINE: 1, QUARTER_PAST: 1}
    assert stale_intervals.stale(store) == set()


def test_another_workers_rebuild_does_not_unmark_what_this_one_writes_later(store: Store) -> None:
    clock = Clock()
    this, other = Refresher(store, SETTINGS, clock), Refresher(store, SETTINGS, clock)
    _flush(store, this, answered_call("c1", 0, 12, 200), full=True)
    other.recover()  # another worker starts: it rebuilds 09:00 and clears the mark
    assert _offered(store) == {NINE: 1} and stale_intervals.stale(store) == set()
    _flush(store, this, answered_call("c2", 60, 12, 200), full=True)  # 09:00 again, still in this one's window
    assert stale_intervals.stale(store) == {NINE}  # marked again: this worker dying now loses nothing
    Refresher(store, SETTINGS, clock).recover()
    assert _offered(store) == {NINE: 2}


def test_no_window_rebuilds_after_every_batch(store: Store) -> None:
    every_batch = load_settings(tz="Asia/Shanghai", catch_up_refresh_s=0)
    _flush(store, Refresher(store, every_batch, Clock()), answered_call("c1", 0, 12, 200), full=True)
    assert _offered(store) == {NINE: 1}


def test_a_backlog_that_ends_on_a_full_batch_is_rebuilt_by_the_timer(store: Store) -> None:
    clock = Clock()
    refresher = Refresher(store, SETTINGS, clock)
    _flush(store, refresher, answered_call("c1", 0, 12, 200), full=True)  # the last message of the backlog
    clock.now += 9
    refresher.rebuild_overdue()
    assert _offered(store) == {}
    clock.now += 1
    refresher.rebuild_overdue()
    assert _offered(store) == {NINE: 1} and stale_intervals.stale(store) == set()


def test_a_caught_up_worker_lays_the_agent_time_of_a_day_once_it_is_over(store: Store) -> None:
    refresher = Refresher(store, SETTINGS, Clock())
    kept = f"SELECT day_ms, agent_id FROM {store.db}.agent_time_blocks FINAL ORDER BY day_ms"
    _flush(store, refresher, answered_call("c1", 0, 12, 200, 30), full=False)  # 09:00, the first day it sees
    _flush(store, refresher, answered_call("c2", 3600, 12, 200, 30), full=True)  # a full batch: catching up
    assert store.engine.query(kept)["day_ms"] == []
    _flush(store, refresher, answered_call("c3", 86_400, 12, 200, 30), full=False)  # the next day, caught up
    midnight = NINE - 9 * 3_600_000
    assert store.engine.query(kept) == {"day_ms": [midnight], "agent_id": ["a1"]}
    # the kept day is what a report reads: both calls, 230 s each (200 s talking, 30 s wrapping up)
    (row,) = report(store, "2026-11-02", "2026-11-03", SETTINGS, by=("agent",))
    assert row["logged_in_s"] == 460
