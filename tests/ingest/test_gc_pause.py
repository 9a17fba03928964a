"""The chain's collector pause: nested pauses end together, a collector that was off stays off, and pauses that
keep overlapping still let it collect now and then."""

from __future__ import annotations

import gc

import pytest

from pipeline.ingest import gc_pause

from pipeline.ingest.gc_pause import gc_paused


def test_nested_pauses_enable_the_collector_when_the_outer_one_ends():
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer batch is still running
    assert gc.isenabled()


def test_a_collector_disabled_by_the_caller_stays_disabled():
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_collect_by_hand_once_the_collector_was_off_too_long(monkeypatch: pytest.MonkeyPatch):
    """A worker with a backlog: the store's pause is still open when each next batch's pause ends, so the
    collector is never enabled; a cycle made meanwhile is freed once the collector has been off MAX_OFF_S."""
    now = [1000.0]
    monkeypatch.setattr(gc_pause, "_clock", lambda: now[0])

    class Node:
        pass

    def a_cycle() -> int:
        node = Node()
        node.me = node  # only the cyclic collector frees it
        return id(node)

    def alive(ident: int) -> bool:
        return any(id(o) == ident for o in gc.get_objects() if isinstance(o, Node))

    with gc_paused():  # the store thread's pause, open throughout
        with gc_paused():
            cycle = a_cycle()
        now[0] += gc_pause.MAX_OFF_S - 1
        with gc_paused():
            pass
        assert alive(cycle) and not gc.isenabled()  # not yet overdue: nothing collected
        now[0] += 1
        with gc_paused():
            pass
        assert not alive(cycle) and not gc.isenabled()  # collected by hand; still paused
    assert gc.isenabled()


def test_a_pause_begun_on_the_event_loop_ends_where_the_batch_is_let_go():
    """A worker batch: paused when its take-in starts, resumed once committed (another task, maybe another thread);
    a second batch taken in meanwhile keeps the collector off until it is let go too."""
    import threading

    assert gc.isenabled()
    gc_pause.pause()  # batch 1 taken in
    gc_pause.pause()  # batch 2 taken in while batch 1 is stored
    ended = threading.Thread(target=gc_pause.resume)  # batch 1 committed
    ended.start()
    ended.join()
    assert not gc.isenabled()
    gc_pause.resume()  # batch 2 committed
    assert gc.isenabled()
