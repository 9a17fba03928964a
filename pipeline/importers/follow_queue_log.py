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
import warnings
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import orjson

from pipeline.core.intake import DeadLetter
from pipeline.importers.asterisk_queue_log import BadLine, QueueLogMapper, pseudonymised_caller
from pipeline.importers.tail import FileTail, Position
from pipeline.ingest import dead_letter
from pipeline.outage import Outage

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka.errors import KafkaError  # type: ignore[import-untyped]

log = logging.getLogger("cckpi.follow")
BATCH_BYTES = 256 * 1024  # at most this much of the file per batch (one Kafka flush, one checkpoint)


RETRY_MAX_S = 30.0  # while Kafka does not acknowledge a batch, send it again at most this far apart


class PublishFailed(Exception):
    """Kafka did not acknowledge every message of the batch (unreachable, or past the delivery timeout)."""


class Publisher(Protocol):
    def send(self, value: bytes, key: bytes | None, dead: bool = False) -> None: ...

    def flush(self) -> None:
        """Return once every message of the batch is acknowledged; raise ``PublishFailed`` if any was not."""

    def resend(self) -> None:
        """Send the whole batch again, after ``flush`` failed (a repeat is a duplicate the worker drops)."""


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
    checkpoints: int = 0
    dead_by_reason: Tally[str] = field(default_factory=Tally)

    @property
    def dead_letters(self) -> int:
        return sum(self.dead_by_reason.values())


class Lines(Protocol):
    """What the followed file's lines are: how one is published, and the state a checkpoint keeps beside the
    position (a queue_log's open calls; nothing for a spool of ready events)."""

    def publish(self, raw: bytes, number: int, publisher: Publisher, counts: FollowCounts) -> None: ...

    def open_calls(self) -> list[list[Any]]: ...


class QueueLogLines:
    """queue_log lines through the batch import's mapper, resumed with the calls open at the checkpoint."""

    def __init__(self, log_path: Path, open_calls: list[list[Any]], pseudonymise: Callable[[str], str]) -> None:
        self.log_path, self.pseudonymise = log_path, pseudonymise
        self.mapper = QueueLogMapper(remember_lines=False)  # resumes exactly at the checkpoint: no overlap
        self.mapper.restore(open_calls)

    def open_calls(self) -> list[list[Any]]:
        return self.mapper.open_calls()

    def publish(self, raw: bytes, number: int, publisher: Publisher, counts: FollowCounts) -> None:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not text.strip():
            return
        counts.lines += 1
        try:
            events = self.mapper.feed(text, number)
        except BadLine as exc:
            letter = DeadLetter(exc.reason, f"line {number}: {exc.detail}", pseudonymised_caller(raw.rstrip(b"\r\n"), self.pseudonymise),
                                f"{self.log_path}:{number}")
            publisher.send(dead_letter.record(letter), None, dead=True)
            counts.dead_by_reason[exc.reason] += 1
            return
        for event in events:
            key = event.get("contact_id") or event.get("agent_id")
            publisher.send(orjson.dumps(event), key.encode() if key else None)
            counts.events += 1


class Watcher(Protocol):
    """Told of the follower's progress (its Prometheus metrics)."""

    def checkpointed(self, counts: FollowCounts, at: Position) -> None:
        """A batch was acknowledged and saved at ``at``; ``counts`` are the totals so far."""

    def caught_up(self) -> None:
        """Every complete line of the file is published and checkpointed."""


def follow(log_path: Path, checkpoint: Checkpoint, publisher: Publisher, stop: Callable[[], bool],
           poll_seconds: float = 0.2, watcher: Watcher | None = None, outage: Outage | None = None,
           sleep: Callable[[float], None] = time.sleep,
           lines_of: Callable[[list[list[Any]]], Lines] | None = None,
           pseudonymise: Callable[[str], str] | None = None) -> FollowCounts:
    """Run until ``stop()``; each batch is published, acknowledged, then checkpointed.

    A batch Kafka does not acknowledge is sent again until it is, however long
    Kafka is away (the outage logged when it begins and when it ends), so a
    broker restart does not end the follower; the mapper has already taken the
    batch's lines, so it is the batch's messages that are sent again, not the lines.
    ``sleep`` is how the back-off between attempts waits (a test's is instant);
    ``lines_of`` makes the line handler from the checkpoint's saved state (default: queue_log lines, which
    need ``pseudonymise`` for their dead letters' caller ids)."""
    outage = outage or Outage("Kafka")
    resume, open_calls = checkpoint.load(log_path)
    tail = FileTail(log_path, resume)
    if lines_of is None:
        if pseudonymise is None:
            raise ValueError("following a queue_log needs the pseudonymiser for its dead letters' caller ids")
        scrub = pseudonymise
        lines_of = lambda calls: QueueLogLines(log_path, calls, scrub)  # noqa: E731
    lines_handler = lines_of(open_calls)
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
                lines_handler.publish(raw, number, publisher, counts)
            if not _acknowledged(publisher, outage, stop, sleep):
                break  # stopped while Kafka was down: the batch is not checkpointed, a restart sends it again
            checkpoint.save(log_path, tail.position, lines_handler.open_calls())
            counts.checkpoints += 1
            if watcher is not None:
                watcher.checkpointed(counts, tail.position)
    finally:
        tail.close()
    return counts


def _acknowledged(publisher: Publisher, outage: Outage, stop: Callable[[], bool],
                  sleep: Callable[[float], None]) -> bool:
    """Flush until Kafka acknowledged the whole batch (True), or ``stop()`` while it would not (False)."""
    delay = 1.0
    while True:
        try:
            publisher.flush()
        except PublishFailed as exc:
            outage.failed(exc)
            if stop():
                return False
            sleep(delay)
            delay = min(delay * 2, RETRY_MAX_S)
            publisher.resend()
            continue
        outage.ok()
        return True


class KafkaPublisher:
    """kafka-python with acks=all; ``flush`` then checks every send's result, so a failure is never checkpointed.

    Once a send of the batch failed (no metadata within ``max_block_ms``: Kafka
    is away), the rest of the batch is only kept, not sent, so an outage costs
    one timeout per attempt rather than one per message."""

    def __init__(self, producer: Any, topic: str, dead_letter_topic: str) -> None:
        self.producer, self.topic, self.dead_letter_topic = producer, topic, dead_letter_topic
        self.batch: list[tuple[str, bytes, bytes | None]] = []
        self.pending: list[Any] = []
        self.failed: Exception | None = None

    def send(self, value: bytes, key: bytes | None, dead: bool = False) -> None:
        record = (self.dead_letter_topic if dead else self.topic, value, key)
        self.batch.append(record)
        self._send(record)

    def _send(self, record: tuple[str, bytes, bytes | None]) -> None:
        if self.failed is not None:
            return
        topic, value, key = record
        try:
            self.pending.append(self.producer.send(topic, value=value, key=key))
        except KafkaError as exc:
            self.failed = exc

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        try:
            self.producer.flush()
            for future in pending:
                future.get(timeout=0)  # raises the send's error, if it had one
            if self.failed is not None:
                raise self.failed
        except KafkaError as exc:
            raise PublishFailed(f"{type(exc).__name__}: {exc}") from None
        self.batch = []

    def resend(self) -> None:
        self.pending, self.failed = [], None
        for record in self.batch:
            self._send(record)
