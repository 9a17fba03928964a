"""An outage of the store or of Kafka, logged twice: when it begins and when it ends.

Left alone, a ClickHouse or Kafka outage filled the worker's log with
thousands of connection errors a minute (aiokafka retries every 100 ms and
logs each; clickhouse-driver logs a traceback per connect).  Here each
dependency has one ``Outage``: a failure that lasts past a short grace is
logged once, with the first error, the retries are only counted, and the first
success logs how long it lasted and how many retries it took.  ``QuietWhileDown`` is the logging filter that
turns the libraries' own connection errors into retries of the outage.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

log = logging.getLogger("cckpi.worker")

# clickhouse-driver's "Failed to connect", aiokafka's connection, metadata, fetch, heartbeat and
# coordinator errors, and kafka-python's (the follower's producer): everything a dead broker or server makes
# the libraries say, again and again
CONNECTION_MESSAGES = re.compile(
    r"Unable connect|Unable to update metadata|Failed fetch|Failed to connect|Heartbeat|[Cc]oordinator|"
    r"No node available|socket disconnected|Failed to produce messages|"
    r"Connect call failed|Connection (refused|reset|error|was closed)|Error on socket shutdown|KafkaConnectionError|NodeNotReady|"
    r"RequestTimedOut|timed out|Unable to request metadata|Got error produce response|EOF"
)


class Outage:
    """One dependency's state: up, or down since when and with how many retries (thread-safe).

    A failure that a retry mends within ``grace_s`` (a group coordinator not
    yet elected at start-up, one dropped connection) is not an outage and is
    not logged; one that lasts is logged when the grace has passed, with its
    first error, and its end is logged with its length and retry count.
    """

    def __init__(self, what: str, clock: Callable[[], float] = time.monotonic, grace_s: float = 3.0) -> None:
        self.what = what
        self._clock = clock
        self.grace_s = grace_s
        self._lock = threading.Lock()
        self.since: float | None = None
        self.retries = 0
        self.logged = False
        self._first_error = ""

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException | str) -> None:
        """A failure: counted; the outage is logged once, when it has lasted ``grace_s``."""
        now = self._clock()
        with self._lock:
            if self.since is None:
                self.since, self.retries, self.logged = now, 0, False
                self._first_error = (str(error).strip().splitlines() or [type(error).__name__])[0]
            else:
                self.retries += 1
            if self.logged or now - self.since < self.grace_s:
                return
            self.logged = True
            lasted, first_error, retries = now - self.since, self._first_error, self.retries
        log.error("%s unreachable for %.0f s (%d retries so far): %s; retrying quietly, nothing is committed "
                  "meanwhile (logged again when it is back)", self.what, lasted, retries, first_error)

    def ok(self) -> None:
        """A success: ends the outage, with its length and retry count if it was logged."""
        with self._lock:
            if self.since is None:
                return
            lasted, retries, logged = self._clock() - self.since, self.retries, self.logged
            self.since, self.retries, self.logged = None, 0, False
        if logged:
            log.warning("%s reachable again after %.0f s and %d retries", self.what, lasted, retries)


class QuietWhileDown(logging.Filter):
    """On a library's logger: its connection errors become retries of ``outage``, not log lines."""

    def __init__(self, outage: Outage) -> None:
        super().__init__()
        self.outage = outage

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or not CONNECTION_MESSAGES.search(record.getMessage()):
            return True
        detail = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            detail = f"{detail}: {record.exc_info[1]}"
        self.outage.failed(detail)
        return False


def quiet(prefixes: tuple[str, ...], outage: Outage) -> None:
    """Install ``QuietWhileDown`` on every logger under these names.

    On each one: a filter on a parent logger does not see the records its
    children propagate.  The libraries create their module loggers on import,
    so call this once they are imported.
    """
    quieter = QuietWhileDown(outage)
    names = [n for n in list(logging.Logger.manager.loggerDict)
             if any(n == p or n.startswith(p + ".") for p in prefixes)]
    for name in {*prefixes, *names}:
        logging.getLogger(name).addFilter(quieter)


def is_unreachable(exc: BaseException) -> bool:
    """A store error that means "the server is not there" (retry while it lasts), not a bad statement."""
    try:
        from clickhouse_driver import errors
    except ImportError:  # pragma: no cover - the driver is a dependency
        network: tuple[type[BaseException], ...] = ()
    else:
        network = (errors.NetworkError, errors.SocketTimeoutError)
    return isinstance(exc, (EOFError, ConnectionError, TimeoutError, *network)) or (
        isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError))
