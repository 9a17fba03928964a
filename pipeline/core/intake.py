"""The chain's first step, per message: ``Intake.feed`` (``pipeline.ingest.chain`` holds the whole chain).

Pure: no files, no Kafka, no store.  ``cckpi replay`` feeds it lines from files
and the streaming worker feeds it Kafka messages; both then hand the touched
contact states and the other events to a writer.  One mechanism, so a stream
and a replay of the same events give the same numbers.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import timezone
from typing import TypeVar

import msgspec
import orjson

from pipeline.core import events as ev
from pipeline.core.contact import ContactState, apply
from pipeline.core.decode import TS_END_MS, TS_MIN_MS, Accepted, decode, epoch_ms
from pipeline.core.pseudonym import pseudonymise_raw


@dataclass
class DeadLetter:
    """A rejected message: why, and the original bytes (a customer key in them pseudonymised, as stored ones are)."""

    reason: str
    detail: str
    raw: bytes
    source: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # reason-specific fields of the record (hashes)


CONFLICTING_DUPLICATE = "conflicting_duplicate"
# The decoder skips the fields the contract does not name without checking their text, so a message whose
# unknown field holds bytes that are not UTF-8 decodes; its text cannot be stored or pseudonymised.  JSON is
# UTF-8 (RFC 8259), so it is rejected as invalid JSON: it once raised out of the intake and stopped the
# worker on that message at every restart.
NOT_TEXT = "not UTF-8 text outside the contract's fields (JSON must be UTF-8)"
W = TypeVar("W")  # where a message came from, as its reader knows it; ``feed_all``'s ``where`` makes it a source


@dataclass
class Batch:
    """What one stretch of input produced, ready for a writer."""

    contacts: dict[str, ContactState] = field(default_factory=dict)
    accepted: list[tuple[ev.Event, int, str]] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    by_type: Counter[str] = field(default_factory=Counter)  # accepted events of this batch per type
    duplicates: Counter[str] = field(default_factory=Counter)  # dropped duplicates (same content) per type


@dataclass
class Counts:
    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    conflicting_duplicates: int = 0  # same event_id, different content: dead-lettered, counted apart
    rejected: Counter[str] = field(default_factory=Counter)
    by_type: Counter[str] = field(default_factory=Counter)


class Intake:
    """Validates and assembles; ``take()`` hands over the batch so far.

    ``seen`` is the duplicate filter: event id -> hash of the event's content.
    The replay keeps every id of its run; the worker passes a bounded one
    (``worker.seen.BoundedSeen``, trimmed by ``take``).  A repeat with the same
    content is a duplicate (counted, dropped: at-least-once delivery makes
    them); a repeat with different content is a *conflicting* duplicate: a
    producer reused an id, so one of the two versions is wrong and someone
    must look.  It is counted apart and its copy dead-lettered with both
    hashes.

    Which copy wins: the first to arrive (the stream's order, or the file's
    line order in a replay).  A choice: nothing in the event says which
    version is right, and the copy already applied to a contact cannot be
    taken back out of a stored state.  So a shuffled replay of a file with
    conflicting copies may keep the other version; every count stays the same,
    and the dead letter names both versions for the person who decides.
    """

    def __init__(self, pseudonymise: Callable[[str], str], seen: MutableMapping[str, bytes] | None = None) -> None:
        self._pseudonymise = pseudonymise
        self.seen: MutableMapping[str, bytes] = seen if seen is not None else {}
        self._trim_seen: Callable[[], object] = getattr(self.seen, "trim", lambda: 0)  # once a batch (take)
        self.counts = Counts()
        self._batch = Batch()

    def feed(self, raw: bytes, source: str = "") -> Accepted | DeadLetter | None:
        """One message: decode/validate -> pseudonymise -> dedupe -> assemble; returns the outcome (None for a
        duplicate).  Pseudonymised before the duplicate check, so the content hash and a conflicting copy's dead
        letter never hold a customer's number."""
        self.counts.read += 1
        outcome = decode(raw)
        if not isinstance(outcome, Accepted):
            return self._reject(outcome.reason, outcome.detail, raw, source)
        try:
            event, text = self._pseudonymised(outcome.event, raw)
        except (UnicodeDecodeError, orjson.JSONDecodeError) as exc:  # where the decoder did not look (see NOT_TEXT)
            return self._reject("invalid_json", f"{NOT_TEXT}: {exc}", raw, source)
        digest = content_hash(event)
        first = self.seen.get(event.event_id)
        if first is not None:
            return self._repeat(event, first, digest, text, source)
        self.seen[event.event_id] = digest
        self._assemble(event, outcome.ts_ms, text)
        return Accepted(event, outcome.ts_ms)

    def feed_all(self, messages: Iterable[tuple[bytes, W]], outcomes: list[Accepted | DeadLetter | None] | None = None,
                 where: Callable[[W], str] = str) -> None:
        """``feed`` for every (raw, place) of a batch, in order, each outcome appended to ``outcomes`` when given.

        The same steps and the same results as ``feed`` per message (``feed`` stays the reference; the tests
        compare them), written as one loop for the chain's hot path: names bound once, the events counted by
        type after the loop, the fast epoch conversion, and no UTC copy of an event already in UTC for its
        content hash.  A message the decoder refuses, or one without a text or a time the store can hold (see
        ``NOT_TEXT``, ``decode.TS_MIN_MS``), goes through ``feed``, which rejects it.
        ``where(place)`` is the message's ``source`` (``topic/partition/offset``, ``file:line``), made only for
        the few messages that become dead letters or duplicates: formatted for every message, it was a tenth of
        the take-in.
        """
        decode_event, encode, crc32 = _event_decoder.decode, _encoder.encode, zlib.crc32
        counts, seen, batch = self.counts, self.seen, self._batch
        add, contacts, pseudonymised = batch.accepted.append, batch.contacts, self._pseudonymised
        by_type: dict[type, int] = {}
        accepted = read = 0
        try:
            for raw, place in messages:
                try:
                    event = decode_event(raw)
                except (msgspec.ValidationError, msgspec.DecodeError):
                    event = None
                ts = event.ts if event is not None else None
                text = None
                if ts is not None and ts.tzinfo is not None:
                    kind = type(event)
                    try:
                        if kind is _OFFERED and event.customer_key:
                            event, text = pseudonymised(event, raw)
                        else:
                            text = raw.decode()
                    except (UnicodeDecodeError, orjson.JSONDecodeError):
                        pass
                if text is not None:
                    ts_ms = epoch_ms(ts)
                if text is None or not TS_MIN_MS <= ts_ms < TS_END_MS:  # rejected: the reference path counts it
                    outcome = self.feed(raw, where(place))
                    if outcomes is not None:
                        outcomes.append(outcome)
                    continue
                read += 1
                utc = event if ts.tzinfo is timezone.utc else msgspec.structs.replace(event, ts=ts.astimezone(UTC))
                digest = crc32(encode(utc)).to_bytes(4, "big")
                first = seen.get(event.event_id)
                if first is not None:
                    outcome = self._repeat(event, first, digest, text, where(place))
                else:
                    seen[event.event_id] = digest
                    accepted += 1
                    by_type[kind] = by_type.get(kind, 0) + 1
                    add((event, ts_ms, text))
                    if kind in _CONTACT_KINDS:
                        state = contacts.get(event.contact_id)
                        if state is None:
                            state = contacts[event.contact_id] = ContactState(event.contact_id)
                        apply(state, event, ts_ms)
                    outcome = Accepted(event, ts_ms) if outcomes is not None else None
                if outcomes is not None:
                    outcomes.append(outcome)
        finally:
            counts.read += read
            counts.accepted += accepted
            for kind, n in by_type.items():
                counts.by_type[ev.type_name_of(kind)] += n
                batch.by_type[ev.type_name_of(kind)] += n

    def _reject(self, reason: str, detail: str, raw: bytes, source: str) -> DeadLetter:
        letter = DeadLetter(reason, detail, pseudonymise_raw(raw, self._pseudonymise), source)
        self.counts.rejected[reason] += 1
        self._batch.dead_letters.append(letter)
        return letter

    def _pseudonymised(self, event: ev.Event, raw: bytes) -> tuple[ev.Event, str]:
        """The event and its stored text with the customer's key replaced by its pseudonym."""
        if not (isinstance(event, ev.ContactOffered) and event.customer_key):
            return event, raw.decode()
        pseudonym = self._pseudonymise(event.customer_key)
        record = orjson.loads(raw)
        record["customer_key"] = pseudonym
        return msgspec.structs.replace(event, customer_key=pseudonym), orjson.dumps(record).decode()

    def _repeat(self, event: ev.Event, first: bytes, digest: bytes, text: str, source: str) -> DeadLetter | None:
        """A seen event id: a duplicate (same content) is counted and dropped; other content is a conflict."""
        if first == digest:
            self.counts.duplicates += 1
            self._batch.duplicates[ev.type_name(event)] += 1
            return None
        return self._conflict(event, first, digest, text, source)

    def _assemble(self, event: ev.Event, ts_ms: int, text: str) -> None:
        """Into the batch: the event, and its contact's state when it is a contact event."""
        self.counts.accepted += 1
        self.counts.by_type[ev.type_name(event)] += 1
        self._batch.by_type[ev.type_name(event)] += 1
        self._batch.accepted.append((event, ts_ms, text))
        if isinstance(event, ev.CONTACT_EVENT_TYPES):
            contact_id = event.contact_id  # type: ignore[union-attr]
            state = self._batch.contacts.get(contact_id)
            if state is None:
                state = self._batch.contacts[contact_id] = ContactState(contact_id)
            apply(state, event, ts_ms)  # type: ignore[arg-type]

    def _conflict(self, event: ev.Event, first: bytes, digest: bytes, text: str, source: str) -> DeadLetter:
        """The copy is dead-lettered pseudonymised (``text``), not as it came: it is a valid event, and the
        dead-letter file is no place for a customer's number."""
        letter = DeadLetter(
            CONFLICTING_DUPLICATE,
            f"event_id {event.event_id!r} was seen before with different content (first version {first.hex()}, "
            f"this version {digest.hex()}); the first copy was kept: fix the producer that reused the id",
            text.encode(), source, {"event_id": event.event_id, "first_hash": first.hex(), "this_hash": digest.hex()},
        )
        self.counts.conflicting_duplicates += 1
        self._batch.dead_letters.append(letter)
        return letter

    def take(self) -> Batch:
        """The batch so far; a bounded ``seen`` (one with a ``trim()``) is trimmed here, between batches."""
        batch, self._batch = self._batch, Batch()
        self._trim_seen()
        return batch


_encoder = msgspec.json.Encoder()
_event_decoder = msgspec.json.Decoder(ev.Event)  # decode.decode's, without its wrapping (feed_all)
_OFFERED = ev.ContactOffered
_CONTACT_KINDS = frozenset(ev.CONTACT_EVENT_TYPES)
UTC = timezone.utc


def content_hash(event: ev.Event) -> bytes:
    """CRC-32 of the decoded event, its time in UTC: the same event written with other whitespace, key
    order or UTC offset is the same content; any changed value is not.

    32 bits suffice because the hash only tells versions of *one* event id apart (two different versions
    collide once in four billion), and it is computed for every event: CRC-32 is the cheapest hash in the
    standard library (about 0.5 us an event, BLAKE2b 1.2 us).  With it the intake does ~150,000 events/s
    of CPU time instead of ~195,000 without a content hash (45,852 simulated events, this machine).
    """
    utc = msgspec.structs.replace(event, ts=event.ts.astimezone(timezone.utc))
    return zlib.crc32(_encoder.encode(utc)).to_bytes(4, "big")
