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
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block (nested and concurrent blocks share one pause)."""
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
