"""One batch of Kafka messages through the Intake: pure, so it is tested without Kafka.

The Faust agent hands over Kafka records (bytes and where they came from);
this module returns the store batch, the dead-letter records to publish and
the tallies for the counters.  Nothing here commits anything: the consumer
commits a batch only after its dead letters are sent and its flush succeeded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import orjson

from pipeline.core import events as ev
from pipeline.core.decode import Accepted
from pipeline.core.intake import CONFLICTING_DUPLICATE, Batch, DeadLetter, Intake
from pipeline.ingest.dead_letter import record


class Record(Protocol):
    """What ``process`` reads of a Kafka message: aiokafka's ``ConsumerRecord`` as it comes (no copy per message)."""

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
class Processed:
    batch: Batch
    dead_letters: list[bytes] = field(default_factory=list)
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


def process(intake: Intake, messages: Iterable[Record]) -> Processed:
    """Feed each message; take the batch; build what the agent must publish and count."""
    out = Processed(Batch())
    newest: int | None = None
    for message in messages:
        raw = message.value or b""
        outcome = intake.feed(raw, source_of(message))
        if isinstance(outcome, Accepted):
            kind = ev.type_name(outcome.event)
            out.consumed[kind] += 1
            if is_live_type(kind):
                newest = outcome.ts_ms if newest is None else max(newest, outcome.ts_ms)
        elif isinstance(outcome, DeadLetter) and outcome.reason == CONFLICTING_DUPLICATE:
            out.conflicting[duplicate_type(raw)] += 1
        elif isinstance(outcome, DeadLetter):
            out.rejected[outcome.reason] += 1
        else:
            out.duplicates[duplicate_type(raw)] += 1
    out.batch = intake.take()
    out.dead_letters = [dead_letter_record(letter) for letter in out.batch.dead_letters]
    out.newest_ts_ms = newest
    return out
