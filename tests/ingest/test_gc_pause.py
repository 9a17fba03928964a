"""The chain's collector pause: nested pauses end together, and a collector that was off stays off."""

from __future__ import annotations

import gc

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
