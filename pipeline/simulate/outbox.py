"""Events waiting to be released in time order.

The simulation decides a served contact's whole future (holds, end, wrap-up,
surveys hours later) the moment an agent picks it up.  Those events wait here
in a heap and are released only once the simulation clock has passed them, so
the stream comes out sorted by ``ts`` while being produced lazily - what a live
mode needs to pace events against the wall clock.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from pipeline.simulate.clock import Stamper

Event = dict[str, Any]


class Outbox:
    """A heap of (epoch ms, sequence, event); the sequence keeps ties in cause order."""

    def __init__(self, stamper: Stamper, id_prefix: str) -> None:
        self._heap: list[tuple[int, int, Event]] = []
        self._seq = 0
        self._stamper = stamper
        self._prefix = id_prefix

    def add(self, ms: int, type_: str, body: Event) -> None:
        """Queue a contract event happening at ``ms`` (stamped in UTC)."""
        self._push(ms, type_, self._stamper.utc(ms), body)

    def agent_state(self, ms: int, agent_id: str, state: str, reason: str | None = None) -> None:
        """ACD state changes carry the centre's local offset, as an ACD's own log would; ``seq`` is the order
        they were decided in, so changes of the same millisecond keep it."""
        body: Event = {"agent_id": agent_id, "state": state, "seq": self._seq + 1}
        if reason is not None:
            body["reason"] = reason
        self._push(ms, "agent.state", self._stamper.local(ms), body)

    def _push(self, ms: int, type_: str, ts: str, body: Event) -> None:
        self._seq += 1
        event = {"event_id": f"{self._prefix}{self._seq:09d}", "type": type_, "ts": ts}
        event.update(body)
        heapq.heappush(self._heap, (ms, self._seq, event))

    def release_before(self, ms: int) -> Iterator[Event]:
        """Every queued event strictly earlier than ``ms``: nothing later can precede them."""
        heap = self._heap
        while heap and heap[0][0] < ms:
            yield heapq.heappop(heap)[2]

    def release_all(self) -> Iterator[Event]:
        heap = self._heap
        while heap:
            yield heapq.heappop(heap)[2]
