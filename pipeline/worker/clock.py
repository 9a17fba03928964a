"""The live gauges' "now": the wall clock, or the newest event time seen (replays of past days, tests)."""

from __future__ import annotations

import time

from pipeline.store import reads
from pipeline.store.store import Store


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
            self.newest_ms = reads.newest_timeline_ms(store)
        return self.newest_ms
