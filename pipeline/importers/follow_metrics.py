"""The follower's Prometheus endpoint: what it published, and how far behind its file it is.

The counters move when a batch is checkpointed, that is once Kafka
acknowledged it, so they never count lines a crash will send again.  How far
behind is read from the file at scrape time: a follower stuck on an
unreachable Kafka checkpoints nothing, yet shows the file growing past its
checkpoint, and for how long, which the ``FollowerBehind`` alert
watches.  A busy file always has a few bytes past the checkpoint, so the alert
is on the time, not the bytes: the seconds since the follower last checkpointed
or found nothing new to read, while bytes are waiting.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

from pipeline import metric_defs as m
from pipeline.importers.follow_queue_log import FollowCounts
from pipeline.importers.tail import Position


class FollowMetrics:
    """A ``follow_queue_log.Watcher`` that exports what it is told."""

    def __init__(self, log_path: Path, resumed_at: Position | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """``resumed_at``: the checkpoint the follower starts from (None: the file's start)."""
        self.path, self.at, self.clock = log_path, resumed_at, clock
        self.file = str(log_path)
        self.registry = r = CollectorRegistry()
        self.lines = Counter(*m.FOLLOW_LINES.spec(), registry=r).labels(self.file)
        self.events = Counter(*m.FOLLOW_EVENTS.spec(), registry=r).labels(self.file)
        self.dead = Counter(*m.FOLLOW_DEAD_LETTERS.spec(), registry=r)
        Gauge(*m.FOLLOW_BEHIND_BYTES.spec(), registry=r).labels(self.file).set_function(self.behind_bytes)
        Gauge(*m.FOLLOW_BEHIND_SECONDS.spec(), registry=r).labels(self.file).set_function(self.behind_seconds)
        self.progress_at = clock()  # the last checkpoint, or the last read that found nothing new
        self._counted = FollowCounts()

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """Expose /metrics on host:port (0: not at all)."""
        if port:
            start_http_server(port, addr=host, registry=self.registry)

    def checkpointed(self, counts: FollowCounts, at: Position) -> None:
        self.lines.inc(counts.lines - self._counted.lines)
        self.events.inc(counts.events - self._counted.events)
        for reason, n in counts.dead_by_reason.items():
            if added := n - self._counted.dead_by_reason[reason]:
                self.dead.labels(self.file, reason).inc(added)
        self._counted = copy.deepcopy(counts)
        self.at, self.progress_at = at, self.clock()

    def caught_up(self) -> None:
        self.progress_at = self.clock()

    def behind_bytes(self) -> float:
        """Bytes of the followed path past the checkpoint.  When the path names another file than the
        checkpoint's (rotated), the whole new file counts and the unread end of the old one does not."""
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:  # rotated away and not recreated yet
            return 0.0
        if self.at is None or stat.st_ino != self.at.inode:
            return float(stat.st_size)
        return float(max(0, stat.st_size - self.at.offset))

    def behind_seconds(self) -> float:
        """Seconds since the follower last made progress, while bytes wait past the checkpoint (0 otherwise)."""
        return max(0.0, self.clock() - self.progress_at) if self.behind_bytes() > 0 else 0.0
