"""Core objects to insertable columns: one function per table, the types beside them.

Kept apart from the engines so the payload-to-row step is plain data work
(the way Snuba keeps one processor per dataset) and testable without a store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from pipeline.core import events as ev
from pipeline.core.contact import ContactState
from pipeline.core.facts import ContactFact, derive

Columns = dict[str, list[Any]]

FACT_COLUMNS: dict[str, str] = {
    "contact_id": "str", "version": "int", "has_offered": "bool", "offered_ms": "int", "queue": "str",
    "channel": "str", "direction": "str", "customer_key": "str", "agent_id": "str", "is_answered": "bool",
    "is_abandoned": "bool", "answered_ms": "int", "abandoned_ms": "int", "ended_ms": "int", "wrapup_ms": "int",
    "wait_ms": "int", "hold_ms": "int", "talk_ms": "int", "acw_ms": "int", "handle_ms": "int",
    "wrapup_complete": "bool", "disposition": "str", "transferred": "bool", "first_response_ms": "int",
    "csat": "int", "nps": "int", "time_conflict": "bool", "abandon_reason": "str", "state": "str",
}
OFFER_COLUMNS: dict[str, str] = {  # the offered-time index and the contact listing's filters (migration 0012)
    "offered_ms": "int", "contact_id": "str", "direction": "str", "queue": "str", "channel": "str", "agent_id": "str",
    "is_answered": "bool", "is_abandoned": "bool", "is_waiting": "bool",
}
CUSTOMER_COLUMNS: dict[str, str] = {
    "customer_key": "str", "contact_id": "str", "offered_ms": "int", "direction": "str", "version": "int",
}
NEXT_COLUMNS: dict[str, str] = {"contact_id": "str", "next_offered_ms": "int"}
EVENT_COLUMNS: dict[str, str] = {
    "event_id": "str", "type": "str", "ts_ms": "int", "contact_id": "str", "agent_id": "str",
    "ingested_ms": "int", "raw": "str",
}
QA_COLUMNS: dict[str, str] = {
    "event_id": "str", "ts_ms": "int", "contact_id": "str", "agent_id": "str", "score": "float",
    "fatal_errors": "int", "nonfatal_errors": "int", "opportunities": "int", "source": "str",
    "business_errors": "int", "tariff_errors": "int", "fraud_orders": "int",
}
COMPLAINT_COLUMNS: dict[str, str] = {
    "event_id": "str", "ts_ms": "int", "agent_id": "str", "contact_id": "str", "valid": "bool",
    "escalated": "bool",
}
AGENT_STATE_COLUMNS: dict[str, str] = {
    "event_id": "str", "ts_ms": "int", "seq": "int", "agent_id": "str", "state": "str", "reason": "str",
}
# events kept in a table of their own besides ``events``: type -> (table, columns)
SIDE_TABLES: dict[type, tuple[str, dict[str, str]]] = {
    ev.QaEvaluated: ("qa_evaluations", QA_COLUMNS),
    ev.ComplaintFiled: ("complaints", COMPLAINT_COLUMNS),
    ev.AgentState: ("agent_states", AGENT_STATE_COLUMNS),
}

_FACT_FIELDS = [name for name in FACT_COLUMNS if name not in ("version", "state")]
_state_encoder = msgspec.json.Encoder()


def _empty(types: dict[str, str]) -> Columns:
    return {name: [] for name in types}


def fact_columns(states: Iterable[ContactState], version: int) -> Columns:
    """Derived figures plus the mergeable state (JSON) of each contact."""
    columns = _empty(FACT_COLUMNS)
    appenders = [(columns[name].append, name) for name in _FACT_FIELDS]
    versions, blobs = columns["version"], columns["state"]
    for state in states:
        fact: ContactFact = derive(state)
        for append, name in appenders:
            append(getattr(fact, name))
        versions.append(version)
        blobs.append(_state_encoder.encode(state).decode())
    return columns


def event_columns(accepted: Sequence[tuple[ev.Event, int, str]], ingested_ms: int) -> Columns:
    """(event, ts_ms, raw JSON text) triples; raw already pseudonymised."""
    columns = _empty(EVENT_COLUMNS)
    ids, types, times, contacts, agents, raws = (columns[name].append for name in (
        "event_id", "type", "ts_ms", "contact_id", "agent_id", "raw"))
    names = ev.NAME_OF_TYPE
    for event, ts_ms, raw in accepted:  # the worker's hot loop: appends bound once
        ids(event.event_id)
        types(names[type(event)])
        times(ts_ms)
        contacts(getattr(event, "contact_id", None) or "")
        agents(getattr(event, "agent_id", None) or "")
        raws(raw)
    columns["ingested_ms"] = [ingested_ms] * len(accepted)
    return columns


def event_rows(items: Sequence[tuple[Any, int]], types: dict[str, str]) -> Columns:
    """One row per (event, ts_ms): the columns are the event's fields of the same name."""
    columns = _empty(types)
    for event, ts_ms in items:
        for name, kind in types.items():
            value = ts_ms if name == "ts_ms" else getattr(event, name)
            if value is None and kind == "str":  # optional text fields (contact_id, reason) are stored as ''
                value = ""
            columns[name].append(float(value) if kind == "float" else value)
    return columns


def offer_columns(facts: Columns) -> Columns:
    """The ``contact_offers`` rows of the offered contacts among ``fact_columns``' output: their own columns, and
    ``is_waiting``, ``components_sql.WAITING`` of the fact (neither answered nor abandoned, and not ended)."""
    offered = [i for i, has_offered in enumerate(facts["has_offered"]) if has_offered]
    offers = {name: [facts[name][i] for i in offered] for name in OFFER_COLUMNS if name != "is_waiting"}
    answered, abandoned, ended = facts["is_answered"], facts["is_abandoned"], facts["ended_ms"]
    offers["is_waiting"] = [not answered[i] and not abandoned[i] and ended[i] is None for i in offered]
    return offers


def customer_columns(facts: Columns) -> Columns:
    """The ``customer_contacts`` rows (offered contacts with a customer) among ``fact_columns``' output."""
    rows = _empty(CUSTOMER_COLUMNS)
    for values in zip(facts["customer_key"], facts["contact_id"], facts["offered_ms"], facts["direction"],
                      facts["version"], facts["has_offered"]):
        if values[-1] and values[0]:
            for name, value in zip(CUSTOMER_COLUMNS, values):
                rows[name].append(value)
    return rows
