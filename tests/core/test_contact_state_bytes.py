"""A contact's state as the store keeps it (``core/contact.py``: ``dumps``/``loads``), worked by hand.

The ``state`` column holds these bytes across upgrades, so their shape is a contract, not a detail: each
part is a msgpack array in field order (``array_like``), a field added later decodes with its default, and
the parts are immutable values (``frozen``), because ``apply`` and ``merge`` share one part between states
(``new is not state.offered`` compares identities): a part changed in place would change another state too.
"""

from __future__ import annotations

import msgspec
import pytest

from pipeline.core.contact import Abandon, ByAgent, ContactState, Hold, Mark, Offer, Score, dumps, loads


def _state() -> ContactState:
    return ContactState(
        "c1",
        offered=Offer(1000, "e1", "billing", "voice", "inbound", "k1"),
        answered=ByAgent(2000, "e2", "a1"),  # an answer has no disposition: ""
        abandoned=Abandon(2500, "e3"),  # a reason not given: the customer left
        ended=Mark(3000, "e4"),
        wrapup=ByAgent(4000, "e5", "a1", "resolved"),
        csat=Score(5000, "e6", 5),
        holds={"h1": Hold(2100, True)},
    )


def test_the_stored_bytes_are_arrays_in_field_order():
    assert msgspec.msgpack.decode(dumps(_state())) == [
        "c1",
        [1000, "e1", "billing", "voice", "inbound", "k1"],
        [2000, "e2", "a1", ""],
        [2500, "e3", "customer"],
        [3000, "e4"],
        [4000, "e5", "a1", "resolved"],
        None,  # first agent message
        None,  # transferred
        [5000, "e6", 5],
        None,  # nps
        {"h1": [2100, True]},
    ]
    assert loads(dumps(_state())) == _state()


def test_a_state_stored_before_reasons_and_dispositions_decodes_with_the_defaults():
    old = msgspec.msgpack.encode(["c1", None, [2000, "e2", "a1"], [2500, "e3"], None, [4000, "e5", "a1"]])
    state = loads(old)
    assert (state.answered, state.abandoned, state.wrapup) == (
        ByAgent(2000, "e2", "a1", ""), Abandon(2500, "e3", "customer"), ByAgent(4000, "e5", "a1", ""))


@pytest.mark.parametrize("part", [Mark(1, "e"), Abandon(1, "e"), Offer(1, "e", "q", "voice", "inbound", "k"),
                                  ByAgent(1, "e", "a1"), Score(1, "e", 5), Hold(1, True)],
                         ids=lambda part: type(part).__name__)
def test_the_parts_of_a_state_cannot_be_changed_in_place(part):
    with pytest.raises(AttributeError):
        part.ts_ms = 2
    assert part.ts_ms == 1


def test_each_kind_of_event_lands_in_its_part_and_a_second_copy_changes_nothing():
    # apply() answers False when the state already holds the event (a duplicate delivery): the worker writes
    # nothing then.  A duplicate ties with the kept part on (time, event id), and the tie keeps the part held.
    # A customer's chat message is no agent's first response: nothing changes.
    import orjson

    from pipeline.core.contact import apply
    from pipeline.core.decode import Accepted, decode
    from tests.fixtures.events import BASE, abandoned, answered, ended, event, offered, wrapup

    raw = [offered("c", 0), answered("c", 5), abandoned("c", 6), ended("c", 60), wrapup("c", 70),
           event("contact.message", 8, contact_id="c", sender="agent"),
           event("contact.transferred", 30, contact_id="c", to_queue="sales"),
           event("contact.hold_started", 10, contact_id="c"), event("survey.csat", 90, contact_id="c", score=5),
           event("survey.nps", 95, contact_id="c", score=9),
           event("contact.message", 9, contact_id="c", sender="customer")]
    state = ContactState("c")
    for number, item in enumerate(raw):
        item["event_id"] = f"e{number}"
        accepted = decode(orjson.dumps(item))
        assert isinstance(accepted, Accepted), accepted
        is_new = item.get("sender") != "customer"
        assert apply(state, accepted.event, accepted.ts_ms) is is_new, item["type"]
        before = dumps(state)
        assert apply(state, accepted.event, accepted.ts_ms) is False, item["type"]
        assert dumps(state) == before
    b = int(BASE.timestamp() * 1000)  # the fixtures' times are seconds after BASE
    assert msgspec.msgpack.decode(dumps(state)) == [
        "c",
        # no customer key: "" (the store links no repeat contacts for "", so anonymous callers never become one
        # customer whose calls break each other's FCR)
        [b, "e0", "billing", "voice", "inbound", ""],
        [b + 5000, "e1", "a1", ""],
        [b + 6000, "e2", "customer"],
        [b + 60_000, "e3"],
        [b + 70_000, "e4", "a1", ""],  # a wrap-up without a disposition: ""
        [b + 8000, "e5"],
        [b + 30_000, "e6"],
        [b + 90_000, "e8", 5],
        [b + 95_000, "e9", 9],
        {"e7": [b + 10_000, True]},
    ]


def test_an_event_of_no_contact_is_refused_by_name():
    # the intake hands apply() contact events only; another kind is a programming error, named in one line
    from datetime import datetime, timezone

    from pipeline.core import events as ev
    from pipeline.core.contact import apply

    agent_state = ev.AgentState("e1", datetime(2026, 11, 2, tzinfo=timezone.utc), "a1", "available")
    with pytest.raises(TypeError) as refused:
        apply(ContactState("c"), agent_state, 0)  # type: ignore[arg-type]
    assert str(refused.value) == "not a contact event: AgentState"


def test_a_contacts_figures_cannot_be_changed_in_place():
    from pipeline.core.facts import derive

    fact = derive(ContactState("c"))  # the figures the writer and the worker's table both read
    with pytest.raises(AttributeError):
        fact.hold_ms = 1  # type: ignore[misc]
    assert fact.hold_ms == 0
