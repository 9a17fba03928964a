"""The contacts behind a number: one row per inbound contact offered in a range, paged without loss.

The wallboard's drill-down and ``GET /api/contacts`` read here.  Paging is by
key (``offered_ms``, ``contact_id``) rather than by offset, so a page never
repeats or skips a row even while the worker writes new contacts: the order
is total (contact ids are unique) and a cursor names the last row returned.

The figures are the stored facts, the ones the report sums: durations are
the catalogue's (section 3), already taken as 0 where two source clocks
contradict each other, with ``time_conflict`` set (``core.facts``);
``abandon_reason`` is the facts' own (``customer`` for abandons stored before
the column existed, the contract's default).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import orjson

from pipeline.store.components_sql import WAITING
from pipeline.store.engines import literal
from pipeline.store.store import Store

OUTCOMES = ("answered", "abandoned", "waiting")
MAX_LIMIT = 10_000

_OUTCOME_SQL = {
    "answered": "is_answered",
    "abandoned": "is_abandoned",
    "waiting": WAITING,
}
_INDEX_OUTCOME_SQL = {**_OUTCOME_SQL, "waiting": "is_waiting"}
FIRST_WINDOW_MS = 3_600_000  # the listing's first look: an hour of offered time (a few of a day's pages)
WINDOW_GROWTH = 4  # each later look spans this many times the one before: a month in at most 6 looks


class BadCursor(ValueError):
    """A cursor this module did not hand out."""


@dataclass(frozen=True)
class ContactFilter:
    """Inbound contacts offered in [start_ms, end_ms) matching every given field (empty: any)."""

    start_ms: int
    end_ms: int
    queues: tuple[str, ...] = ()
    agent_id: str = ""
    channel: str = ""
    outcome: str = ""
    direction: str = "inbound"

    def __post_init__(self) -> None:
        if self.outcome and self.outcome not in OUTCOMES:
            raise ValueError(f"outcome {self.outcome!r} is not one of {', '.join(OUTCOMES)}")
        if self.end_ms <= self.start_ms:
            raise ValueError("to must be after from")


@dataclass
class ContactPage:
    rows: list[dict[str, Any]]
    next_cursor: str | None = None


def encode_cursor(offered_ms: int, contact_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([offered_ms, contact_id])).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        offered_ms, contact_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(offered_ms, int) or not isinstance(contact_id, str):
            raise TypeError
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise BadCursor("cursor is not one this server handed out; start again without it") from None
    return offered_ms, contact_id


def _filters(wanted: ContactFilter, after: tuple[int, str] | None, index: bool = False) -> str:
    """Every condition of the listing over one stored version of a contact: its fact, or (``index``) its row in
    ``contact_offers``, which holds offered contacts only and WAITING as a column."""
    parts = [] if index else ["has_offered"]
    parts += [f"direction = {literal(wanted.direction)}", f"offered_ms >= {wanted.start_ms}",
              f"offered_ms < {wanted.end_ms}"]
    if wanted.queues:
        parts.append(f"queue IN ({', '.join(literal(q) for q in wanted.queues)})")
    if wanted.agent_id:
        parts.append(f"agent_id = {literal(wanted.agent_id)}")
    if wanted.channel:
        parts.append(f"channel = {literal(wanted.channel)}")
    if wanted.outcome:
        parts.append((_INDEX_OUTCOME_SQL if index else _OUTCOME_SQL)[wanted.outcome])
    if after is not None:  # strictly after the cursor's row, in (offered_ms, contact_id) order
        ms, cid = after
        parts.append(f"(offered_ms > {ms} OR (offered_ms = {ms} AND contact_id > {literal(cid)}))")
    return " AND ".join(parts)


_DETAIL_COLUMNS = ("contact_id, offered_ms, queue, channel, agent_id, is_answered, is_abandoned, wait_ms, talk_ms, "
                   "hold_ms, acw_ms, handle_ms, disposition, csat, nps, transferred, time_conflict, abandon_reason")


def _candidates(store: Store, wanted: ContactFilter, after: tuple[int, str] | None, count: int
                ) -> list[tuple[int, str]]:
    """The first ``count`` (offered_ms, contact_id) of the stored versions that match, after ``after``.

    Read from ``contact_offers`` (ordered by the listing's own order, with the
    filters beside it) in growing windows of offered time from the cursor on:
    the first page of a month reads the index rows of its first hours, not the
    month's facts.  Every stored version has an index row, so a contact whose
    latest version matches is among the candidates; an older version's row
    only adds one that ``_latest`` drops.  A choice: the windows start at an
    hour and grow fourfold, so a sparse filter (one agent over a month) costs
    a few more short reads and never more than one pass over the range.
    """
    where = _filters(wanted, after, index=True)
    lo, span, found = max(wanted.start_ms, after[0]) if after else wanted.start_ms, FIRST_WINDOW_MS, []
    while lo < wanted.end_ms and len(found) < count:
        hi = min(wanted.end_ms, lo + span)
        result = store.engine.query(  # the primary key's offered_ms range reads only this window's index rows
            f"SELECT offered_ms, contact_id FROM {store.db}.contact_offers "
            f"WHERE offered_ms >= {lo} AND offered_ms < {hi} AND {where} "
            f"ORDER BY offered_ms, contact_id LIMIT {count - len(found)}"
        )
        found += zip(result["offered_ms"], result["contact_id"])  # a key twice: two index rows, both matching
        lo, span = hi, span * WINDOW_GROWTH
    return found


def _latest(store: Store, wanted: ContactFilter, keys: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """The latest version of each candidate, kept when it still matches at the same key, in the keys' order."""
    if not keys:
        return []
    result = store.engine.query(
        f"SELECT {_DETAIL_COLUMNS} FROM (SELECT {_DETAIL_COLUMNS}, has_offered, direction, ended_ms "
        f"FROM {store.db}.contact_facts PREWHERE contact_id IN ({', '.join(literal(cid) for _, cid in keys)}) "
        f"ORDER BY contact_id, version DESC LIMIT 1 BY contact_id) WHERE {_filters(wanted, None)}"
    )
    by_key = {(result["offered_ms"][i], cid): {name: result[name][i] for name in result}
              for i, cid in enumerate(result["contact_id"])}
    return [by_key[key] for key in keys if key in by_key]


def list_contacts(store: Store, wanted: ContactFilter, limit: int = 500, cursor: str | None = None) -> ContactPage:
    """One page of contacts in (offered_ms, contact_id) order, and the cursor of the next page (None: last).

    Two steps: the next keys of any stored version that matches (from the
    offered-time index, window by window, no FINAL), then the latest version
    of those contacts by primary key, kept if it still matches; repeated while
    stale candidates leave the page short.  Reading keys in the index's own
    order is what keeps a month's page from reading the month's facts.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be 1..{MAX_LIMIT}")
    after = decode_cursor(cursor) if cursor else None
    records: list[dict[str, Any]] = []
    while len(records) <= limit:
        wanted_now = limit + 1 - len(records)
        keys = _candidates(store, wanted, after, wanted_now)
        records += _latest(store, wanted, list(dict.fromkeys(keys)))
        if len(keys) < wanted_now:
            break  # the range is exhausted
        after = keys[-1]
    page = records[:limit]
    more = len(records) > limit
    next_cursor = encode_cursor(page[-1]["offered_ms"], page[-1]["contact_id"]) if more else None
    return ContactPage([_row(record) for record in page], next_cursor)


def _row(record: dict[str, Any]) -> dict[str, Any]:
    durations = {f"{name}_s": None if record[f"{name}_ms"] is None else record[f"{name}_ms"] / 1000
                 for name in ("wait", "talk", "hold", "acw", "handle")}
    if record["is_answered"]:
        outcome = "answered"
    elif record["is_abandoned"]:
        outcome = "abandoned"
    else:
        outcome = "waiting"
    return {
        "contact_id": record["contact_id"],
        "offered_ms": record["offered_ms"],
        "queue": record["queue"],
        "channel": record["channel"],
        "agent_id": record["agent_id"],
        "outcome": outcome,
        **durations,
        "disposition": record["disposition"],
        "csat": record["csat"],
        "nps": record["nps"],
        "abandon_reason": (record["abandon_reason"] or "customer") if outcome == "abandoned" else "",
        "transferred": bool(record["transferred"]),
        "time_conflict": bool(record["time_conflict"]),
    }
