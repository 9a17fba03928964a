"""A replay on a simulated clock: events reach the store when the clock passes their time.

The demo serves the wallboard from the process that owns the embedded store
(chDB allows one process per folder), so instead of a worker fed by Kafka it
replays a simulated day through the same chain as ``replay`` (intake, merge,
idempotent write, interval rebuild, dead letters), a tick at a time, and the
wallboard's "now" is the same clock: its numbers move as the day plays.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import orjson

from pipeline.core.intake import Intake
from pipeline.ingest.batch import replay_chain
from pipeline.ingest.chain import Load
from pipeline.settings import Settings
from pipeline.store.store import Store


class SimulatedClock:
    """Epoch ms that run ``speed`` times faster than the wall clock, from ``start_ms``."""

    def __init__(self, start_ms: int, speed: float) -> None:
        self.start_ms = start_ms
        self.speed = speed
        self._began = time.monotonic()

    def __call__(self) -> int:
        return self.start_ms + int((time.monotonic() - self._began) * 1000 * self.speed)


def _event_ms(line: bytes) -> int:
    """The event's own time (lines without a readable one go first, to the dead letters)."""
    try:
        return int(datetime.fromisoformat(orjson.loads(line)["ts"]).timestamp() * 1000)
    except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return 0


class PacedReplay:
    """Holds a day's events in time order and writes those the clock has passed, under the store's lock."""

    def __init__(self, lines: Iterable[bytes], store: Store, settings: Settings, intake: Intake,
                 dead_letter_path: Path, lock: threading.Lock) -> None:
        timed = sorted((_event_ms(line), index, line) for index, line in enumerate(lines))
        self.times = [t for t, _, _ in timed]
        self.lines = [line for _, _, line in timed]
        self.next = 0
        self.chain = replay_chain(store, settings, intake, dead_letter_path)
        self.lock = lock
        self.contacts: set[str] = set()

    @property
    def first_ms(self) -> int:
        return self.times[0] if self.times else 0

    @property
    def done(self) -> bool:
        return self.next >= len(self.lines)

    def step(self, now_ms: int) -> int:
        """Write every event up to ``now_ms``; returns how many."""
        start = self.next
        while self.next < len(self.lines) and self.times[self.next] <= now_ms:
            self.next += 1
        if self.next == start:
            return 0
        load = Load(messages=((line, "demo") for line in self.lines[start:self.next]))
        self.chain.run(load, last="take in")
        with self.lock:
            self.chain.run(load, first="dead letters")
        self.contacts.update(load.batch.contacts)
        return self.next - start

    def run(self, clock: Callable[[], int], stop: threading.Event, tick_s: float = 0.5) -> None:
        """Until every event is written or ``stop`` is set."""
        while not self.done and not stop.is_set():
            self.step(clock())
            stop.wait(tick_s)
