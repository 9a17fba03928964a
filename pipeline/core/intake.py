"""The first links of the chain: decode -> pseudonymise -> dedupe -> assemble.

Pure: no files, no Kafka, no store.  ``cckpi replay`` feeds it lines from files
and the streaming worker feeds it Kafka messages; both then hand the touched
contact states and the other events to a writer.  One mechanism, so a stream
and a replay of the same events give the same numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec
import orjson

from pipeline.core import events as ev
from pipeline.core.contact import ContactState, apply
from pipeline.core.decode import Accepted, decode


@dataclass
class DeadLetter:
    """A rejected message: why, and the original bytes, untouched."""

    reason: str
    detail: str
    raw: bytes
    source: str = ""


@dataclass
class Batch:
    """What one stretch of input produced, ready for a writer."""

    contacts: dict[str, ContactState] = field(default_factory=dict)
    accepted: list[tuple[ev.Event, int, str]] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)


@dataclass
class Counts:
    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    by_type: Counter[str] = field(default_factory=Counter)


class Intake:
    """Validates and assembles; ``take()`` hands over the batch so far.

    ``seen`` is the duplicate filter by event id.  The replay keeps every id of
    its run; the worker passes a bounded, persistent one.
    """

    def __init__(self, pseudonymise: Callable[[str], str], seen: set[str] | None = None) -> None:
        self._pseudonymise = pseudonymise
        self.seen: set[str] = seen if seen is not None else set()
        self.counts = Counts()
        self._batch = Batch()

    def feed(self, raw: bytes, source: str = "") -> Accepted | DeadLetter | None:
        """One message; returns the outcome (None for a duplicate)."""
        self.counts.read += 1
        outcome = decode(raw)
        if not isinstance(outcome, Accepted):
            letter = DeadLetter(outcome.reason, outcome.detail, raw, source)
            self.counts.rejected[outcome.reason] += 1
            self._batch.dead_letters.append(letter)
            return letter
        event = outcome.event
        if event.event_id in self.seen:
            self.counts.duplicates += 1
            return None
        self.seen.add(event.event_id)
        text = raw.decode()
        if isinstance(event, ev.ContactOffered) and event.customer_key:
            pseudonym = self._pseudonymise(event.customer_key)
            event = msgspec.structs.replace(event, customer_key=pseudonym)
            record = orjson.loads(raw)
            record["customer_key"] = pseudonym
            text = orjson.dumps(record).decode()
        self.counts.accepted += 1
        self.counts.by_type[ev.type_name(event)] += 1
        self._batch.accepted.append((event, outcome.ts_ms, text))
        if isinstance(event, ev.CONTACT_EVENT_TYPES):
            contact_id = event.contact_id  # type: ignore[union-attr]
            state = self._batch.contacts.get(contact_id)
            if state is None:
                state = self._batch.contacts[contact_id] = ContactState(contact_id)
            apply(state, event, outcome.ts_ms)  # type: ignore[arg-type]
        return Accepted(event, outcome.ts_ms)

    def take(self) -> Batch:
        batch, self._batch = self._batch, Batch()
        return batch
