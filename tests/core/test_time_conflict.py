"""No duration is ever negative: contradicting clocks give 0 and a ``time_conflict`` flag (hand-worked)."""

from __future__ import annotations

import msgspec
import orjson

from pipeline.core.contact import ContactState, apply
from pipeline.core.decode import Accepted, decode
from pipeline.core.facts import ContactFact, derive
from tests.fixtures.events import abandoned, answered, ended, event, offered, wrapup


def _fact(*events: dict) -> ContactFact:
    state = ContactState("c")
    for item in events:
        outcome = decode(orjson.dumps(item))
        assert isinstance(outcome, Accepted), outcome
        apply(state, outcome.event, outcome.ts_ms)  # type: ignore[arg-type]
    return derive(state)


def test_consistent_clocks_are_not_flagged() -> None:
    fact = _fact(offered("c", 0), answered("c", 10), ended("c", 70), wrapup("c", 75))
    assert (fact.wait_ms, fact.talk_ms, fact.acw_ms, fact.handle_ms, fact.time_conflict) == (
        10_000, 60_000, 5_000, 65_000, False)


def test_answered_before_offered_waits_zero_and_is_flagged() -> None:
    fact = _fact(offered("c", 10), answered("c", 7), ended("c", 67), wrapup("c", 70))
    # wait 7 - 10 = -3 s -> 0; talk 67 - 7 = 60 s; acw 3 s
    assert (fact.wait_ms, fact.talk_ms, fact.acw_ms, fact.handle_ms) == (0, 60_000, 3_000, 63_000)
    assert fact.time_conflict and fact.is_answered


def test_abandoned_before_offered_waits_zero_and_is_flagged() -> None:
    fact = _fact(offered("c", 10), abandoned("c", 8))
    assert (fact.is_abandoned, fact.wait_ms, fact.time_conflict) == (True, 0, True)


def test_ended_before_answered_talks_zero() -> None:
    fact = _fact(offered("c", 0), answered("c", 20), ended("c", 15), wrapup("c", 25))
    # talk 15 - 20 = -5 s -> 0; acw 25 - 15 = 10 s (wrap-up after the end is consistent)
    assert (fact.wait_ms, fact.talk_ms, fact.acw_ms, fact.handle_ms, fact.time_conflict) == (
        20_000, 0, 10_000, 10_000, True)


def test_wrapup_before_end_has_zero_after_call_work() -> None:
    fact = _fact(offered("c", 0), answered("c", 5), ended("c", 65), wrapup("c", 60))
    assert (fact.talk_ms, fact.acw_ms, fact.handle_ms, fact.time_conflict) == (60_000, 0, 60_000, True)


def test_hold_that_ends_before_it_starts_counts_zero() -> None:
    fact = _fact(offered("c", 0), answered("c", 5),
                 event("contact.hold_ended", 20, contact_id="c"), event("contact.hold_started", 30, contact_id="c"),
                 ended("c", 65), wrapup("c", 65))
    # the only end precedes the only start: hold 0 (not 30..65 = 35 s), talk = 60 s
    assert (fact.hold_ms, fact.talk_ms, fact.handle_ms, fact.time_conflict) == (0, 60_000, 60_000, True)


def test_stray_hold_end_before_a_proper_hold_is_no_conflict() -> None:
    fact = _fact(offered("c", 0), answered("c", 5), event("contact.hold_ended", 8, contact_id="c"),
                 event("contact.hold_started", 10, contact_id="c"), event("contact.hold_ended", 40, contact_id="c"),
                 ended("c", 65), wrapup("c", 65))
    assert (fact.hold_ms, fact.talk_ms, fact.time_conflict) == (30_000, 30_000, False)


def test_holds_longer_than_the_conversation_are_cut_to_it() -> None:
    # held from 2 s (before the answer at 5 s) to 20 s = 18 s, but the conversation (5..15) lasted 10 s
    fact = _fact(offered("c", 0), answered("c", 5), event("contact.hold_started", 2, contact_id="c"),
                 event("contact.hold_ended", 20, contact_id="c"), ended("c", 15), wrapup("c", 15))
    assert (fact.hold_ms, fact.talk_ms, fact.handle_ms, fact.time_conflict) == (10_000, 0, 10_000, True)


def test_chat_first_response_before_offer_is_zero() -> None:
    fact = _fact(offered("c", 10, channel="chat"), event("contact.message", 4, contact_id="c", sender="agent"))
    assert (fact.first_response_ms, fact.time_conflict) == (0, True)


def test_abandon_reason_is_kept_and_defaults_to_customer() -> None:
    assert _fact(offered("c", 0), abandoned("c", 9)).abandon_reason == "customer"
    timeout = event("contact.abandoned", 9, contact_id="c", reason="timeout")
    assert _fact(offered("c", 0), timeout).abandon_reason == "timeout"
    assert _fact(offered("c", 0), answered("c", 5)).abandon_reason == ""  # answered: no reason
    bad = decode(orjson.dumps(event("contact.abandoned", 9, contact_id="c", reason="bored")))
    assert not isinstance(bad, Accepted) and "reason" in bad.detail


def test_a_state_stored_before_reasons_existed_reads_as_customer() -> None:
    # the stored JSON of a state (array_like): contact_id, offered, answered, abandoned [ts_ms, event_id], ...
    old = msgspec.json.encode(["c", None, None, [9000, "ev-1"], None, None, None, None, None, None, {}])
    state = msgspec.json.decode(old, type=ContactState)
    assert state.abandoned is not None and state.abandoned.reason == "customer"
