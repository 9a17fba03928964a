"""Event contract v1 (docs/design.md section 2) as msgspec structs.

msgspec rather than pydantic because decoding is on the hot path of the worker
(tens of thousands of events a second on two cores) and msgspec validates while
it parses.  The JSON Schemas in ``schemas/events/`` are generated from these
structs (``cckpi schemas export``), so the contract is written once.

Unknown extra fields are ignored by the structs (never an error); the original
bytes travel beside the decoded event and are what the store keeps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Union

import msgspec
from msgspec import Meta, Struct

Id = Annotated[str, Meta(min_length=1, max_length=128)]
Key = Annotated[str, Meta(min_length=1, max_length=256)]
Channel = Literal["voice", "chat"]
Direction = Literal["inbound", "outbound"]
Sender = Literal["agent", "customer"]
Disposition = Literal["resolved", "unresolved", "escalated"]
# why a contact left the queue unanswered: the customer hung up, or the queue let it go (timed out, no agents
# logged in, a key pressed for voicemail); all count as abandoned, reports split them
AbandonReason = Literal["customer", "timeout", "empty", "key"]
AgentStateName = Literal["logged_out", "available", "on_contact", "after_contact_work", "not_ready"]
# Whole numbers bounded by the store's columns (UInt32 counts, an Int64 sequence): a larger one decoded, then
# failed the store's write, and a worker stopped on that message at every restart.
Count = Annotated[int, Meta(ge=0, le=4_294_967_295)]
SeqNumber = Annotated[int, Meta(ge=0, le=9_223_372_036_854_775_807)]


class _Event(Struct, frozen=True, tag_field="type", forbid_unknown_fields=False):
    event_id: Id
    ts: datetime


class ContactOffered(_Event, tag="contact.offered"):
    contact_id: Key
    channel: Channel
    queue: Key
    direction: Direction = "inbound"
    customer_key: str | None = None


class ContactAnswered(_Event, tag="contact.answered"):
    contact_id: Key
    agent_id: Key


class ContactAbandoned(_Event, tag="contact.abandoned"):
    contact_id: Key
    reason: AbandonReason = "customer"


class ContactMessage(_Event, tag="contact.message"):
    contact_id: Key
    sender: Sender


class ContactHoldStarted(_Event, tag="contact.hold_started"):
    contact_id: Key


class ContactHoldEnded(_Event, tag="contact.hold_ended"):
    contact_id: Key


class ContactTransferred(_Event, tag="contact.transferred"):
    contact_id: Key
    to_queue: str | None = None
    to_agent: str | None = None


class ContactEnded(_Event, tag="contact.ended"):
    contact_id: Key


class ContactWrapupCompleted(_Event, tag="contact.wrapup_completed"):
    contact_id: Key
    agent_id: Key
    disposition: Disposition | None = None


CsatScale = Literal["1-5", "0-100", "3-option"]
_CSAT_RANGE = {"1-5": (1, 5), "0-100": (0, 100), "3-option": (1, 3)}


class SurveyCsat(_Event, tag="survey.csat"):
    """``score`` on the survey's ``scale``: 1-5 (the v1 default), 0-100, or 3-option (1 不满意, 2 一般, 3 满意).

    The scale is named on the event so a score is checked where it enters (a 7 on a 1-5 survey is a dead
    letter); the queue's ``csat_scale`` and ``csat_satisfied_min`` settings say how it is read.
    """

    contact_id: Key
    score: Annotated[int, Meta(ge=0, le=100, description="within the scale: 1-5, 0-100 or 1-3")]
    scale: CsatScale = "1-5"

    def __post_init__(self) -> None:
        low, high = _CSAT_RANGE[self.scale]
        if not low <= self.score <= high:
            raise ValueError(f"Expected `int` >= {low} and <= {high} on the {self.scale} scale - at `$.score`")


class SurveyNps(_Event, tag="survey.nps"):
    contact_id: Key
    score: Annotated[int, Meta(ge=0, le=10)]


class QaEvaluated(_Event, tag="qa.evaluated"):
    contact_id: Key
    agent_id: Key
    score: Annotated[float, Meta(ge=0, le=100)]
    fatal_errors: Count
    nonfatal_errors: Count
    opportunities: Count
    source: Literal["internal", "external"] = "internal"
    # what the QA found on the contact, counted apart (003's 业务差错 / 资费差错 / 诈单): 0 when not sent
    business_errors: Count = 0
    tariff_errors: Count = 0
    fraud_orders: Count = 0


class ComplaintFiled(_Event, tag="complaint.filed"):
    agent_id: Key
    valid: bool
    escalated: bool
    contact_id: Key | None = None


class AgentState(_Event, tag="agent.state"):
    agent_id: Key
    state: AgentStateName
    reason: str | None = None
    # the source's order of changes stamped with the same time (a queue_log line number, FreeSWITCH's
    # Event-Sequence): a PAUSE written in the same second as the ADDMEMBER before it comes after it
    seq: SeqNumber = 0


ContactEvent = Union[
    ContactOffered,
    ContactAnswered,
    ContactAbandoned,
    ContactMessage,
    ContactHoldStarted,
    ContactHoldEnded,
    ContactTransferred,
    ContactEnded,
    ContactWrapupCompleted,
    SurveyCsat,
    SurveyNps,
]
Event = Union[ContactEvent, QaEvaluated, ComplaintFiled, AgentState]

EVENT_TYPES: tuple[type[_Event], ...] = Event.__args__  # type: ignore[attr-defined]
CONTACT_EVENT_TYPES: tuple[type[_Event], ...] = ContactEvent.__args__  # type: ignore[attr-defined]
# each struct's contract ``type`` string, as one dict lookup (the worker's and the replay's column building)
NAME_OF_TYPE: dict[type, str] = {t: t.__struct_config__.tag for t in EVENT_TYPES}  # type: ignore[misc]
TYPE_NAMES: tuple[str, ...] = tuple(NAME_OF_TYPE.values())


def type_name(event: _Event) -> str:
    """The contract's ``type`` string of a decoded event."""
    return NAME_OF_TYPE[type(event)]


# what ``core.decode`` takes: an offset, and a time the store can hold (``decode.TS_MIN_MS``, ``TS_END_MS``)
TS_DESCRIPTION = "RFC 3339 with an offset (Z or +hh:mm), from 1970-01-02 to 2099-12-31 in UTC"


def json_schemas() -> dict[str, dict[str, object]]:
    """One JSON Schema per event type, generated from the structs above."""
    schemas = {}
    for event_type in EVENT_TYPES:
        (schema,), components = msgspec.json.schema_components([event_type], ref_template="#/$defs/{name}")
        body = dict(components[event_type.__name__])
        name = type_name_of(event_type)
        body["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        body["$id"] = f"https://cckpi.dev/schemas/events/v1/{name}.json"
        body["title"] = name
        body["properties"] = {**body["properties"], "ts": {"type": "string", "format": "date-time",
                                                             "description": TS_DESCRIPTION}}
        defs = {k: v for k, v in components.items() if k != event_type.__name__}
        if defs:
            body["$defs"] = defs
        schemas[name] = body
    return schemas


def type_name_of(event_type: type[_Event]) -> str:
    return NAME_OF_TYPE[event_type]
