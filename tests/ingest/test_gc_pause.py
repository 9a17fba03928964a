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
