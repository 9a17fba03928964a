"""Contact assembly: fold a contact's events into one state, in any order.

The state is a join-semilattice: every field keeps the earliest or the latest
event of its kind, ordered by ``(ts_ms, event_id)``, and holds are kept by
event id.  So ``merge`` is commutative, associative and idempotent, and a
contact's final state depends only on the *set* of its events, never on the
order or the number of times they arrived.  That is what lets the streaming
worker, a replay, a replay of a shuffled file with duplicates, and a worker
restarted mid-stream all end with the same numbers.

Choices where the contract leaves room (documented here, tested in
tests/core/test_contact.py):

* several ``contact.offered`` for one contact: the earliest defines queue,
  channel, direction, customer and the offered time;
* ``answered``, ``abandoned``, first agent message, ``transferred``: earliest;
* ``ended``, ``wrapup_completed``, surveys: the latest (the conversation is over
  when its last leg ends; a re-sent survey replaces the earlier answer);
* both ``answered`` and ``abandoned``: the contact counts as answered.
"""

from __future__ import annotations

from typing import Optional, TypeVar

import msgspec
from msgspec import Struct

from pipeline.core import events as ev


class Mark(Struct, frozen=True, array_like=True):
    """A moment chosen from several candidates; ordered by (ts_ms, event_id)."""

    ts_ms: int
    event_id: str


class Abandon(Struct, frozen=True, array_like=True):
    """The moment a contact left the queue unanswered, and why (a state stored before the reason existed
    decodes with the default, ``customer``)."""

    ts_ms: int
    event_id: str
    reason: str = "customer"


class Offer(Struct, frozen=True, array_like=True):
    ts_ms: int
    event_id: str
    queue: str
    channel: str
    direction: str
    customer_key: str


class ByAgent(Struct, frozen=True, array_like=True):
    """An answer or a wrap-up: a moment, the agent, and (wrap-up) a disposition."""

    ts_ms: int
    event_id: str
    agent_id: str
    disposition: str = ""


class Score(Struct, frozen=True, array_like=True):
    ts_ms: int
    event_id: str
    score: int


class Hold(Struct, frozen=True, array_like=True):
    ts_ms: int
    is_start: bool


class ContactState(Struct, array_like=True):
    contact_id: str
    offered: Optional[Offer] = None
    answered: Optional[ByAgent] = None
    abandoned: Optional[Abandon] = None
    ended: Optional[Mark] = None
    wrapup: Optional[ByAgent] = None
    first_agent_message: Optional[Mark] = None
    transferred: Optional[Mark] = None
    csat: Optional[Score] = None
    nps: Optional[Score] = None
    holds: dict[str, Hold] = msgspec.field(default_factory=dict)


_T = TypeVar("_T", Mark, Abandon, Offer, ByAgent, Score)


def _key(value: Mark | Abandon | Offer | ByAgent | Score) -> tuple[int, str]:
    return (value.ts_ms, value.event_id)


def _earliest(a: Optional[_T], b: Optional[_T]) -> Optional[_T]:
    if a is None:
        return b
    if b is None:
        return a
    return a if _key(a) <= _key(b) else b


def _latest(a: Optional[_T], b: Optional[_T]) -> Optional[_T]:
    if a is None:
        return b
    if b is None:
        return a
    return a if _key(a) >= _key(b) else b


def merge(a: ContactState, b: ContactState) -> ContactState:
    """The state holding the events of both; order of arguments does not matter."""
    return ContactState(
        contact_id=a.contact_id,
        offered=_earliest(a.offered, b.offered),
        answered=_earliest(a.answered, b.answered),
        abandoned=_earliest(a.abandoned, b.abandoned),
        ended=_latest(a.ended, b.ended),
        wrapup=_latest(a.wrapup, b.wrapup),
        first_agent_message=_earliest(a.first_agent_message, b.first_agent_message),
        transferred=_earliest(a.transferred, b.transferred),
        csat=_latest(a.csat, b.csat),
        nps=_latest(a.nps, b.nps),
        holds={**a.holds, **b.holds},
    )


def apply(state: ContactState, event: ev.ContactEvent, ts_ms: int) -> bool:
    """Fold one event into ``state`` in place; False if it changed nothing.

    In place because this is the hot path of replay and the worker; the result
    is the same as ``merge(state, state_of(event))``.
    """
    eid = event.event_id
    if isinstance(event, ev.ContactOffered):
        new = _earliest(state.offered, Offer(ts_ms, eid, event.queue, event.channel, event.direction,
                                             event.customer_key or ""))
        changed, state.offered = new is not state.offered, new
    elif isinstance(event, ev.ContactAnswered):
        new_a = _earliest(state.answered, ByAgent(ts_ms, eid, event.agent_id))
        changed, state.answered = new_a is not state.answered, new_a
    elif isinstance(event, ev.ContactAbandoned):
        new_b = _earliest(state.abandoned, Abandon(ts_ms, eid, event.reason))
        changed, state.abandoned = new_b is not state.abandoned, new_b
    elif isinstance(event, ev.ContactEnded):
        new_m = _latest(state.ended, Mark(ts_ms, eid))
        changed, state.ended = new_m is not state.ended, new_m
    elif isinstance(event, ev.ContactWrapupCompleted):
        new_a = _latest(state.wrapup, ByAgent(ts_ms, eid, event.agent_id, event.disposition or ""))
        changed, state.wrapup = new_a is not state.wrapup, new_a
    elif isinstance(event, ev.ContactMessage):
        if event.sender != "agent":
            return False
        new_m = _earliest(state.first_agent_message, Mark(ts_ms, eid))
        changed, state.first_agent_message = new_m is not state.first_agent_message, new_m
    elif isinstance(event, ev.ContactTransferred):
        new_m = _earliest(state.transferred, Mark(ts_ms, eid))
        changed, state.transferred = new_m is not state.transferred, new_m
    elif isinstance(event, (ev.ContactHoldStarted, ev.ContactHoldEnded)):
        changed = eid not in state.holds
        state.holds[eid] = Hold(ts_ms, isinstance(event, ev.ContactHoldStarted))
    elif isinstance(event, ev.SurveyCsat):
        new_s = _latest(state.csat, Score(ts_ms, eid, event.score))
        changed, state.csat = new_s is not state.csat, new_s
    elif isinstance(event, ev.SurveyNps):
        new_s = _latest(state.nps, Score(ts_ms, eid, event.score))
        changed, state.nps = new_s is not state.nps, new_s
    else:  # pragma: no cover - the union is closed
        raise TypeError(f"not a contact event: {type(event).__name__}")
    return changed


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(ContactState)


def dumps(state: ContactState) -> bytes:
    """Compact bytes for the store's ``state`` column and the worker's table."""
    return _encoder.encode(state)


def loads(blob: bytes) -> ContactState:
    return _decoder.decode(blob)
