"""Failed logins in a row, per username and per address: the fifth makes the next minute answer 429.

Kept in the server's memory: a restart forgets the counts, which only ever
lets a guesser start over once per restart, while a shared table would let
one busy address lock everyone out of the database.  A success resets the
username's and the address's count.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

LIMIT = 5
WAIT_S = 60.0


@dataclass
class _Count:
    failures: int = 0
    until: float = 0.0


@dataclass
class Throttle:
    limit: int = LIMIT
    wait_s: float = WAIT_S
    clock: Callable[[], float] = time.monotonic
    _counts: dict[str, _Count] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return f"user:{username}", f"addr:{address}"

    def wait_left(self, username: str, address: str) -> float:
        """Seconds until a login from ``address`` as ``username`` is heard again (0: now)."""
        now = self.clock()
        with self._lock:
            return max([0.0] + [c.until - now for k in self._keys(username, address)
                                if (c := self._counts.get(k)) is not None])

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys(username, address):
                count = self._counts.setdefault(key, _Count())
                count.failures += 1
                if count.failures >= self.limit:
                    count.failures, count.until = 0, now + self.wait_s

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            for key in self._keys(username, address):
                self._counts.pop(key, None)
