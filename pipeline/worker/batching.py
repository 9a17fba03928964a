"""Kafka records as the chain's messages, their dead-letter records, and a batch's tallies: pure, tested without Kafka.

The agent hands the chain (``pipeline.ingest.chain``) each record's bytes and
where it came from (``raw_messages``); the batch the chain took in gives the
counters their tallies (``tally``) at the commit step.  Nothing here commits anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Protocol

import orjson

from pipeline.core import events as ev
from pipeline.core.intake import CONFLICTING_DUPLICATE, DeadLetter
from pipeline.ingest.dead_letter import record

if TYPE_CHECKING:
    from pipeline.ingest.chain import Load


class Record(Protocol):
    """What the worker reads of a Kafka message: aiokafka's ``ConsumerRecord`` as it comes (no copy per message)."""

    @property
    def value(self) -> bytes | None: ...
    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...


class Message(NamedTuple):
    """A ``Record`` built by hand (tests)."""

    value: bytes | None
    topic: str
    partition: int
    offset: int


@dataclass
class Tally:
    """One batch's counts for the worker's counters."""

    consumed: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    conflicting: Counter[str] = field(default_factory=Counter)  # same event_id, other content (dead-lettered)
    newest_ts_ms: int | None = None  # newest contact.* / agent.state time in the batch


def source_of(message: Record) -> str:
    """Where a rejected message was: ``topic/partition/offset``, enough to fetch it again."""
    return f"{message.topic}/{message.partition}/{message.offset}"


def dead_letter_record(letter: DeadLetter) -> bytes:
    """{reason, detail, source, raw | raw_base64}: the same record as the replay's dead-letter file."""
    return record(letter)


def duplicate_type(raw: bytes) -> str:
    """The type of a dropped duplicate (the Intake does not return it; duplicates are rare)."""
    try:
        value = orjson.loads(raw).get("type")
    except (orjson.JSONDecodeError, AttributeError):
        return "unknown"
    return value if isinstance(value, str) and value in ev.TYPE_NAMES else "unknown"


def is_live_type(kind: str) -> bool:
    """Events that happen "now" on the floor; surveys, QA and complaints arrive hours or days later,
    so they must not move the ``--clock events`` clock."""
    return kind.startswith("contact.") or kind == "agent.state"


def raw_messages(messages: Iterable[Record]) -> list[tuple[bytes, Record]]:
    """Each record's bytes and the record, as the chain's first step reads them (``source_of`` names the place of
    the few that become dead letters)."""
    return [(message.value or b"", message) for message in messages]


def tally(load: Load) -> Tally:
    """The counts of a batch the chain took in, from its batch (no outcome per message is kept for them)."""
    batch = load.batch
    out = Tally(consumed=Counter(batch.by_type), duplicates=Counter(batch.duplicates))
    for letter in batch.dead_letters:
        if letter.reason == CONFLICTING_DUPLICATE:
            out.conflicting[duplicate_type(letter.raw)] += 1
        else:
            out.rejected[letter.reason] += 1
    live = [ts_ms for event, ts_ms, _ in batch.accepted if type(event) in _LIVE_KINDS]
    out.newest_ts_ms = max(live) if live else None
    return out


_LIVE_KINDS = frozenset(kind for kind in ev.EVENT_TYPES if is_live_type(ev.type_name_of(kind)))
