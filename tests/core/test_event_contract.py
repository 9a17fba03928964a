"""The event contract v1 (``core/events.py``) value by value: every allowed value of each closed list is
accepted, each optional field reads as documented when a producer leaves it out, and the limits hold at their
edges.  By hand, through ``decode`` as every message enters."""

from __future__ import annotations

import msgspec
import orjson
import pytest

from pipeline.core import events as ev
from pipeline.core.decode import Accepted, Rejected, decode

TS = "2026-11-02T01:00:00Z"


def _decoded(kind: str, **fields: object) -> msgspec.Struct:
    outcome = decode(orjson.dumps({"event_id": "e1", "type": kind, "ts": TS, **fields}))
    assert isinstance(outcome, Accepted), outcome
    return outcome.event


def _refused(kind: str, **fields: object) -> str:
    outcome = decode(orjson.dumps({"event_id": "e1", "type": kind, "ts": TS, **fields}))
    assert isinstance(outcome, Rejected), outcome
    return outcome.reason


@pytest.mark.parametrize("reason", ["customer", "timeout", "empty", "key"])
def test_each_abandon_reason_is_accepted(reason):
    assert _decoded("contact.abandoned", contact_id="c1", reason=reason).reason == reason


@pytest.mark.parametrize("state", ["logged_out", "available", "on_contact", "after_contact_work", "not_ready"])
def test_each_agent_state_is_accepted_and_the_sequence_starts_at_0(state):
    event = _decoded("agent.state", agent_id="a1", state=state, seq=0)
    assert (event.state, event.seq) == (state, 0)
    assert _refused("agent.state", agent_id="a1", state=state, seq=-1) == "out_of_range"


def test_the_optional_fields_left_out():
    assert (_decoded("agent.state", agent_id="a1", state="available").seq,
            _decoded("agent.state", agent_id="a1", state="available").reason) == (0, None)
    moved = _decoded("contact.transferred", contact_id="c1")
    assert (type(moved), moved.to_queue, moved.to_agent) == (ev.ContactTransferred, None, None)
    assert _decoded("contact.wrapup_completed", contact_id="c1", agent_id="a1").disposition is None
    complaint = _decoded("complaint.filed", agent_id="a1", valid=True, escalated=False)
    assert (type(complaint), complaint.contact_id) == (ev.ComplaintFiled, None)
    qa = _decoded("qa.evaluated", contact_id="c1", agent_id="a1", score=90, fatal_errors=0, nonfatal_errors=1,
                  opportunities=10)
    assert (qa.source, qa.business_errors, qa.tariff_errors, qa.fraud_orders) == ("internal", 0, 0, 0)
    for source in ("internal", "external"):  # each QA source named explicitly
        assert _decoded("qa.evaluated", contact_id="c1", agent_id="a1", score=90, fatal_errors=0, nonfatal_errors=1,
                        opportunities=10, source=source).source == source


def test_a_csat_on_the_0_100_scale_runs_from_0_to_100():
    assert _decoded("survey.csat", contact_id="c1", score=100, scale="0-100").score == 100
    assert _decoded("survey.csat", contact_id="c1", score=0, scale="0-100").score == 0
    assert _refused("survey.csat", contact_id="c1", score=101, scale="0-100") == "out_of_range"


def test_the_contact_event_types_are_the_eleven_kinds_a_contact_state_folds():
    assert {ev.type_name_of(t) for t in ev.CONTACT_EVENT_TYPES} == {
        "contact.offered", "contact.answered", "contact.abandoned", "contact.message", "contact.hold_started",
        "contact.hold_ended", "contact.transferred", "contact.ended", "contact.wrapup_completed", "survey.csat",
        "survey.nps"}


def test_an_event_cannot_be_changed_in_place():
    event = _decoded("contact.ended", contact_id="c1")
    with pytest.raises(AttributeError):
        event.contact_id = "c2"  # type: ignore[misc]
