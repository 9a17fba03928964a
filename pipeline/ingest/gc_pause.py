"""The cyclic garbage collector paused while a batch goes through the chain.

Why: a batch makes hundreds of thousands of small objects (decoded events,
contact states, column lists) that all stay alive until the batch is stored,
so every collection the allocator triggers finds nothing to free, and the
older generations are scanned again and again as they grow.  Profiled on
1M events (``bench/README.md``), the collector was 40 % of the intake's time.
Reference counting still frees everything as usual; the collector runs again
when the batch is done (its next collection finds the batch's cycles, if any).

Re-entrant and thread-safe: the worker runs stretches of the chain on the
event loop and on its store thread at once; the collector is enabled again
when the last pause ends, and only if it was enabled before the first.
A worker batch holds one pause from its take-in until it is committed and
let go (``worker.agent``): ended earlier, the collector's next run would
scan the batch's live objects once more, for nothing.
Under a sustained backlog the worker's pauses overlap (one batch is taken in
while the one before is stored), so the last pause might never end: once the
collector has been off for ``MAX_OFF_S``, the pause that ends then collects
once by hand, so cycles made meanwhile (the Kafka client's, say) are freed in
a long catch-up too.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_clock = time.monotonic
MAX_OFF_S = 30.0  # a full collection of a batch's live objects costs ~0.1-0.5 s: at most once in this long

_lock = threading.Lock()
_pauses = 0
_was_enabled = False
_off_since = 0.0  # monotonic: when the collector was last turned off, or last collected by hand


def pause() -> None:
    """Begin a pause (``resume`` ends it): for a pause that spans awaits and threads, as a worker batch's does."""
    global _pauses, _was_enabled, _off_since
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            _off_since = _clock()
            gc.disable()
        _pauses += 1


def resume() -> None:
    """End one pause; the last one enables the collector again (or an overdue one collects by hand)."""
    global _pauses, _off_since
    with _lock:
        _pauses -= 1
        if _pauses == 0 and _was_enabled:
            gc.enable()
        overdue = _pauses > 0 and _was_enabled and _clock() - _off_since >= MAX_OFF_S
        if overdue:
            _off_since = _clock()
    if overdue:
        gc.collect()


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block (nested and concurrent blocks share one pause)."""
    pause()
    try:
        yield
    finally:
        resume()
