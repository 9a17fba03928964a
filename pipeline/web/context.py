"""What every handler needs, built once by ``create_app`` and read with ``web_context(request)``.

Handlers are module-level functions (one reader, one tool can follow a request
from its route to the store); what used to be the closure around them lives
here, on ``app.state.web``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from pipeline.alerts.relay.sender import Relay
from pipeline.settings import Settings
from pipeline.store.store import Store


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


class StoreAccess:
    """A store connection behind its lock: neither engine takes concurrent queries on one connection
    (clickhouse-driver's client and chDB's session are single-threaded).

    The app has two: ``quick`` for what the wall and the health check need every few seconds (``/api/live``,
    ``/healthz``, a page of contacts) and ``long_reads`` for what may take seconds (a
    report over months, an export). On a ClickHouse server they are two connections with two locks, so a long
    report never makes the health check wait. The embedded store (chDB) is one session per process and may not
    be opened twice: there both are the same connection and lock, and the range caps (``serve_limits``) bound
    how long a long read holds it. For the demo, ``quick`` holds the lock the replaying thread writes under."""

    def __init__(self, store: Store, lock: threading.Lock | None = None) -> None:
        self.store = store
        self.lock = lock or threading.Lock()

    def run(self, work: Callable[[Store], Any]) -> Any:
        with self.lock:
            return work(self.store)


@dataclass(frozen=True)
class WebContext:
    """The store (two lanes, see ``StoreAccess``), the settings, "now" (the demo's simulated clock), the floor
    token (None: no token) and the alert relay (None: this process relays no alerts, e.g. the demo)."""

    quick: StoreAccess
    long_reads: StoreAccess
    settings: Settings
    clock: Callable[[], int]
    token: str | None
    relay: Relay | None = None

    @property
    def default_lang(self) -> str:
        return self.settings.language


def web_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.web
    return context
