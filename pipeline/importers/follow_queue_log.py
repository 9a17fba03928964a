"""``cckpi follow asterisk-queue-log``: a growing queue_log into Kafka, resumable after any crash.

The chain per batch: tail (complete new lines) -> map (the same pure mapper as
the batch import) -> send every event (keyed by contact) and dead letter ->
wait until Kafka acknowledged all of them -> save the checkpoint: the file
position and the calls still open at it, written atomically.  The checkpoint
is never ahead of what Kafka holds, so a SIGKILL at any moment re-sends at
most the last batch after a restart; its event ids come from the lines, and
the worker drops repeats and merges idempotently, so no number changes.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

from pipeline.core.intake import DeadLetter
from pipeline.importers.asterisk_queue_log import BadLine, QueueLogMapper
from pipeline.importers.tail import FileTail, Position
from pipeline.ingest import dead_letter

log = logging.getLogger("cckpi.follow")
BATCH_BYTES = 256 * 1024  # at most this much of the file per batch (one Kafka flush, one checkpoint)


class Publisher(Protocol):
    def send(self, value: bytes, key: bytes | None, dead: bool = False) -> None: ...

    def flush(self) -> None:
        """Return once every message sent so far is acknowledged; raise if any was not."""


@dataclass
class Checkpoint:
    """Where the follower is, saved only after Kafka acknowledged everything before it."""

    path: Path

    def load(self, log_path: Path) -> tuple[Position | None, list[list[Any]]]:
        if not self.path.exists():
            return None, []
        saved = orjson.loads(self.path.read_bytes())
        if saved.get("file") != str(log_path):
            raise ValueError(f"checkpoint {self.path} belongs to {saved.get('file')}, not {log_path}: "
                             "give each followed file its own --checkpoint")
        return Position(saved["inode"], saved["offset"], saved["line"]), saved["open_calls"]

    def save(self, log_path: Path, at: Position, open_calls: list[list[Any]]) -> None:
        body = {"file": str(log_path), "inode": at.inode, "offset": at.offset, "line": at.line,
                "open_calls": open_calls, "saved_at": time.time()}
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("wb") as handle:
            handle.write(orjson.dumps(body))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)  # atomic: a crash leaves the old checkpoint or the new one


@dataclass
class FollowCounts:
    lines: int = 0
    events: int = 0
    dead_letters: int = 0
    checkpoints: int = 0
    dead_by_reason: Tally[str] = field(default_factory=Tally)


class Watcher(Protocol):
    """Told of the follower's progress (its Prometheus metrics)."""

    def checkpointed(self, counts: FollowCounts, at: Position) -> None:
        """A batch was acknowledged and saved at ``at``; ``counts`` are the totals so far."""

    def caught_up(self) -> None:
        """Every complete line of the file is published and checkpointed."""


def follow(log_path: Path, checkpoint: Checkpoint, publisher: Publisher, stop: Callable[[], bool],
           poll_seconds: float = 0.2, watcher: Watcher | None = None) -> FollowCounts:
    """Run until ``stop()``; each batch is published, acknowledged, then checkpointed."""
    resume, open_calls = checkpoint.load(log_path)
    tail = FileTail(log_path, resume)
    mapper = QueueLogMapper(remember_lines=False)  # resumes exactly at the checkpoint: no overlap to skip
    mapper.restore(open_calls)
    counts = FollowCounts()
    try:
        while not stop():
            lines = tail.read(BATCH_BYTES)
            if not lines:
                if watcher is not None:
                    watcher.caught_up()
                time.sleep(poll_seconds)
                continue
            for raw, number in lines:
                _publish_line(raw, number, log_path, mapper, publisher, counts)
            publisher.flush()
            checkpoint.save(log_path, tail.position, mapper.open_calls())
            counts.checkpoints += 1
            if watcher is not None:
                watcher.checkpointed(counts, tail.position)
    finally:
        tail.close()
    return counts


def _publish_line(raw: bytes, number: int, log_path: Path, mapper: QueueLogMapper, publisher: Publisher,
                  counts: FollowCounts) -> None:
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    if not text.strip():
        return
    counts.lines += 1
    try:
        events = mapper.feed(text)
    except BadLine as exc:
        letter = DeadLetter(exc.reason, f"line {number}: {exc.detail}", raw.rstrip(b"\r\n"), f"{log_path}:{number}")
        publisher.send(dead_letter.record(letter), None, dead=True)
        counts.dead_letters += 1
        counts.dead_by_reason[exc.reason] += 1
        return
    for event in events:
        key = event.get("contact_id") or event.get("agent_id")
        publisher.send(orjson.dumps(event), key.encode() if key else None)
        counts.events += 1


class KafkaPublisher:
    """kafka-python with acks=all; ``flush`` then checks every send's result, so a failure is never checkpointed."""

    def __init__(self, producer: Any, topic: str, dead_letter_topic: str) -> None:
        self.producer, self.topic, self.dead_letter_topic = producer, topic, dead_letter_topic
        self.pending: list[Any] = []

    def send(self, value: bytes, key: bytes | None, dead: bool = False) -> None:
        self.pending.append(self.producer.send(self.dead_letter_topic if dead else self.topic, value=value, key=key))

    def flush(self) -> None:
        self.producer.flush()
        pending, self.pending = self.pending, []
        for future in pending:
            future.get(timeout=0)  # raises the send's error, if it had one
