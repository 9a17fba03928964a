"""A contact's figures while it is still partial (``core/facts.py``: ``derive``), whole facts worked by hand.

The worker derives figures after every event, so most facts it writes are of contacts not finished yet; a
field without its events must read as "not yet" (None, "" or False), never as a value.  Times are seconds
after the fixtures' BASE; ms below are relative to it.
"""

from __future__ import annotations

import msgspec
import orjson

from pipeline.core.contact import ContactState, apply
from pipeline.core.decode import Accepted, decode
from pipeline.core.facts import derive
from tests.fixtures.events import BASE, answered, ended, event, offered, wrapup

B = int(BASE.timestamp() * 1000)
NOTHING_YET = {
    "contact_id": "c", "has_offered": False, "offered_ms": 0, "queue": "", "channel": "", "direction": "",
    "customer_key": "", "agent_id": "", "is_answered": False, "is_abandoned": False, "answered_ms": None,
    "abandoned_ms": None, "ended_ms": None, "wrapup_ms": None, "wait_ms": None, "hold_ms": 0, "talk_ms": None,
    "acw_ms": None, "handle_ms": None, "wrapup_complete": False, "disposition": "", "transferred": False,
    "first_response_ms": None, "csat": None, "nps": None, "time_conflict": False, "abandon_reason": "",
}


def _fact(*events: dict) -> dict:
    state = ContactState("c")
    for item in events:
        outcome = decode(orjson.dumps(item))
        assert isinstance(outcome, Accepted), outcome
        apply(state, outcome.event, outcome.ts_ms)  # type: ignore[arg-type]
    return msgspec.structs.asdict(derive(state))


def test_a_contact_with_no_events_of_its_own_yet_has_no_values():
    # e.g. a survey or an end that arrived before the offer: every figure "not yet"
    assert _fact() == NOTHING_YET


def test_answered_not_ended_then_ended_without_wrap_up_then_wrapped_up():
    offer_answer = [offered("c", 0), answered("c", 10)]
    talking = _fact(*offer_answer)
    assert talking == {**NOTHING_YET, "has_offered": True, "offered_ms": B, "queue": "billing", "channel": "voice",
                       "direction": "inbound", "agent_id": "a1", "is_answered": True, "answered_ms": B + 10_000,
                       "wait_ms": 10_000}  # not ended: no talk, no handle, not in the AHT population
    ended_only = _fact(*offer_answer, ended("c", 70))
    assert (ended_only["talk_ms"], ended_only["acw_ms"], ended_only["handle_ms"], ended_only["wrapup_complete"]) == (
        60_000, 0, 60_000, False)  # no wrap-up yet: 0 of it, and not complete
    done = _fact(*offer_answer, ended("c", 70), wrapup("c", 75, disposition="resolved"),
                 event("contact.transferred", 30, contact_id="c", to_queue="sales"))
    assert (done["acw_ms"], done["handle_ms"], done["wrapup_complete"], done["disposition"], done["transferred"]) == (
        5_000, 65_000, True, "resolved", True)


def test_a_hold_exactly_as_long_as_the_call_is_no_conflict():
    # answered at 10, ended at 20; on hold from 10 to 20: held 10 s of a 10 s conversation, talk 0, not flagged
    fact = _fact(offered("c", 0), answered("c", 10), event("contact.hold_started", 10, contact_id="c"),
                 event("contact.hold_ended", 20, contact_id="c"), ended("c", 20))
    assert (fact["hold_ms"], fact["talk_ms"], fact["time_conflict"]) == (10_000, 0, False)
