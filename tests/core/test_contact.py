"""Contact assembly depends on the set of events only: order and repeats change nothing."""

from __future__ import annotations

import random
from functools import reduce

import orjson
from hypothesis import given, settings, strategies as st

from pipeline.core.contact import ContactState, apply, dumps, loads, merge
from pipeline.core.decode import Accepted, decode
from pipeline.core.facts import derive, hold_ms
from pipeline.simulate.config import SimulationConfig
from pipeline.simulate.engine import generate

EVENTS = [e for e in generate(SimulationConfig(contacts=60, seed=7)) if "contact_id" in e
          and e["type"].startswith(("contact.", "survey."))]
DECODED = []
for item in EVENTS:
    outcome = decode(orjson.dumps(item))
    assert isinstance(outcome, Accepted)
    DECODED.append(outcome)


def assemble(items: list[Accepted]) -> dict[str, ContactState]:
    states: dict[str, ContactState] = {}
    for item in items:
        cid = item.event.contact_id
        apply(states.setdefault(cid, ContactState(cid)), item.event, item.ts_ms)
    return states


REFERENCE = {cid: derive(state) for cid, state in assemble(DECODED).items()}


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), repeat_share=st.floats(0, 1))
def test_shuffled_and_duplicated_events_assemble_to_the_same_facts(seed, repeat_share):
    rng = random.Random(seed)
    items = DECODED + [item for item in DECODED if rng.random() < repeat_share]
    rng.shuffle(items)
    assert {cid: derive(state) for cid, state in assemble(items).items()} == REFERENCE


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), parts=st.integers(1, 5))
def test_merging_partial_states_equals_assembling_everything(seed, parts):
    rng = random.Random(seed)
    buckets: list[list[Accepted]] = [[] for _ in range(parts)]
    for item in DECODED:
        buckets[rng.randrange(parts)].append(item)
    partials = [assemble(b) for b in buckets]
    rng.shuffle(partials)
    merged: dict[str, ContactState] = {}
    for partial in partials:
        for cid, state in partial.items():
            merged[cid] = merge(merged[cid], state) if cid in merged else state
    assert {cid: derive(s) for cid, s in merged.items()} == REFERENCE


def test_state_round_trips_through_bytes():
    for state in assemble(DECODED).values():
        assert loads(dumps(state)) == state


def _state(*holds: tuple[str, int, bool], ended: int | None = None) -> ContactState:
    from pipeline.core.contact import Hold, Mark

    return ContactState("h", holds={eid: Hold(ts, start) for eid, ts, start in holds},
                        ended=Mark(ended, "end") if ended is not None else None)


def test_hold_pairing():
    assert hold_ms(_state(("s1", 10, True), ("e1", 40, False), ("s2", 50, True), ("e2", 55, False))) == 35
    assert hold_ms(_state(("e0", 5, False), ("s1", 10, True), ("e1", 40, False))) == 30  # stray end ignored
    assert hold_ms(_state(("s1", 10, True), ended=100)) == 90  # open hold closes at ended
    assert hold_ms(_state(("s1", 10, True))) == 0  # still on hold, not ended yet
    assert hold_ms(_state(("s1", 10, True), ("s2", 20, True), ("e1", 40, False))) == 30  # repeated start


def test_answered_and_abandoned_counts_as_answered():
    from pipeline.core.contact import ByAgent, Mark, Offer

    state = ContactState("x", offered=Offer(0, "o", "q", "voice", "inbound", ""), answered=ByAgent(20_000, "a", "ag"),
                         abandoned=Mark(10_000, "b"))
    fact = derive(state)
    assert fact.is_answered and not fact.is_abandoned and fact.wait_ms == 20_000


def test_reduce_is_order_free_for_csat_resends():
    from pipeline.core.contact import Score

    a, b = ContactState("x", csat=Score(1, "s1", 2)), ContactState("x", csat=Score(5, "s2", 4))
    assert reduce(merge, [a, b]).csat == reduce(merge, [b, a]).csat == Score(5, "s2", 4)


def test_hold_edges_by_hand():
    from pipeline.core.facts import hold_periods

    # a hold started and ended in the same millisecond: starts sort before ends at one time, so it is a hold of
    # 0 ms, not a stray end followed by a hold left open (which would be flagged as a time conflict)
    assert hold_periods(_state(("s1", 20, True), ("e1", 20, False), ended=60)) == (0, False)
    # two starts at one time (the second inside the first): 10..20, and the end at 30 has no hold to close
    assert hold_periods(_state(("h1", 10, True), ("h2", 10, True), ("h3", 20, False), ("h4", 30, False))) == (10, False)
    # a closed hold (10..20) and one still open when the contact ended at 60 (30..60): 10 + 30
    assert hold_periods(_state(("s1", 10, True), ("e1", 20, False), ("s2", 30, True), ended=60)) == (40, False)
    # two holds back to back, the first ending in the millisecond the second starts (10..20, 20..30): 10 + 10;
    # with the hold open at 20 its end is paired first (before: the start sorted first, so only 10 counted)
    assert hold_periods(_state(("s1", 10, True), ("e1", 20, False), ("s2", 20, True), ("e2", 30, False))) == (20, False)
    # the same with the event ids in the other order at 20: the pairing does not depend on the ids
    assert hold_periods(_state(("a1", 10, True), ("z1", 20, False), ("b2", 20, True), ("c2", 30, False))) == (20, False)
