"""Closing a month: freeze its sheet in the payroll database, then report late events.

Payroll must be reproducible to the cent, so a closed month is never
recomputed: ``close_month`` writes the scored rows once, with the policy and
roster text and a sha256 of every input (month, zone, policy, roster, rollup
figures); exports of a closed month read those rows.  Events that arrive for
the month after the close are listed by ``late_events`` (from the events
table's ``ingested_ms``), never silently applied.  The first close of a month
wins: closing again is refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from pipeline.payroll.model import Month
from pipeline.payroll.policy import Policy
from pipeline.payroll.rollup import MonthRollup
from pipeline.payroll.roster import Roster
from pipeline.payroll.sheet import build_rows
from pipeline.settings import Settings
from pipeline.store.engines import literal, parse_url
from pipeline.store.migrations import PAYROLL_MIGRATIONS, migrate
from pipeline.store.store import Store



class ClosingError(Exception):
    """The month cannot be closed (already closed); the message says what to do."""


@dataclass(frozen=True)
class ClosedMonth:
    month: str
    closed_ms: int
    checksum: str
    tz: str
    policy_name: str
    policy_text: str
    roster_text: str
    meta: dict[str, Any]
    rows: list[dict[str, Any]]


def payroll_url(settings: Settings, store_url: str) -> str:
    """The payroll store: the setting, else the events store's place with the payroll database."""
    if settings.payroll_store_url:
        return settings.payroll_store_url
    parsed = parse_url(store_url)
    database = settings.stack.payroll_database
    if parsed.scheme == "chdb":
        return f"chdb://{parsed.path}?database={database}"  # chDB: one folder per process
    return f"{store_url.split('?')[0].rsplit('/', 1)[0]}/{database}"


def open_payroll_store(url: str) -> Store:
    """The payroll database with its own migrations (never the events schema)."""
    store = Store.open(url, migrate_schema=False)
    migrate(store.engine, PAYROLL_MIGRATIONS)
    return store


def inputs_checksum(rollup: MonthRollup, roster: Roster, policy_text: str) -> str:
    """sha256 of the canonical JSON of everything the amounts are computed from."""
    document = {
        "month": str(rollup.month), "tz": rollup.tz, "policy": policy_text,
        "roster": [roster[a].as_json() for a in sorted(roster)],
        "rollup": [agent.as_json() for agent in rollup.agents],
    }
    return hashlib.sha256(_canonical(document).encode("utf-8")).hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def find_closed(payroll: Store, month: Month) -> ClosedMonth | None:
    """The month's (first) close with its frozen rows, or None when the month is open."""
    db = payroll.db
    closes = payroll.engine.query(
        f"SELECT closed_ms, checksum, tz, policy_name, policy_text, roster_text, meta FROM {db}.payroll_closes "
        f"WHERE month = {literal(str(month))} ORDER BY closed_ms LIMIT 1")
    if not closes["closed_ms"]:
        return None
    closed_ms = int(closes["closed_ms"][0])
    rows = payroll.engine.query(
        f"SELECT row FROM {db}.payroll_rows WHERE month = {literal(str(month))} AND closed_ms = {closed_ms} "
        f"ORDER BY position")
    return ClosedMonth(str(month), closed_ms, closes["checksum"][0], closes["tz"][0], closes["policy_name"][0],
                       closes["policy_text"][0], closes["roster_text"][0], json.loads(closes["meta"][0]),
                       [json.loads(text) for text in rows["row"]])


def close_month(payroll: Store, source_db: str, rollup: MonthRollup, roster: Roster, roster_text: str,
                policy: Policy, policy_text: str, now_ms: int | None = None) -> ClosedMonth:
    """Score and freeze the month; refuse when it is already closed."""
    existing = find_closed(payroll, rollup.month)
    if existing is not None:
        raise ClosingError(f"{rollup.month} was closed at {existing.closed_ms} (checksum {existing.checksum[:12]}); "
                           "a closed month is never recomputed: export it, or list late events with `payroll late`")
    rows = build_rows(rollup, roster, policy)
    closed_ms = int(time.time() * 1000) if now_ms is None else now_ms
    meta = {"currency": policy.currency, "card": [line.kpi for line in policy.card],
            "not_in_roster": list(rollup.not_in_roster), "start_ms": rollup.start_ms, "end_ms": rollup.end_ms}
    checksum = inputs_checksum(rollup, roster, policy_text)
    month = str(rollup.month)
    payroll.engine.insert(  # rows first: a close without its rows is never visible as closed
        "payroll_rows",
        {"month": [month] * len(rows), "closed_ms": [closed_ms] * len(rows), "position": list(range(len(rows))),
         "agent_id": [r["agent_id"] for r in rows], "row": [_canonical(r) for r in rows]},
        {"month": "str", "closed_ms": "int", "position": "int", "agent_id": "str", "row": "str"},
    )
    payroll.engine.insert(
        "payroll_closes",
        {"month": [month], "closed_ms": [closed_ms], "checksum": [checksum], "tz": [rollup.tz],
         "source_db": [source_db], "policy_name": [policy.name], "policy_text": [policy_text],
         "roster_text": [roster_text], "meta": [_canonical(meta)]},
        {name: "int" if name == "closed_ms" else "str" for name in
         ("month", "closed_ms", "checksum", "tz", "source_db", "policy_name", "policy_text", "roster_text", "meta")},
    )
    closed = find_closed(payroll, rollup.month)
    assert closed is not None
    return closed


def late_events(store: Store, closed: ClosedMonth) -> list[dict[str, Any]]:
    """Events first ingested after the close that belong to the month.

    They belong to it when their own time falls in the month or their contact
    was offered in it (a survey a week later changes that contact's month).
    The first ingestion of an event counts, so a replayed duplicate is not late.
    """
    start_ms, end_ms = int(closed.meta["start_ms"]), int(closed.meta["end_ms"])
    db = store.db
    contacts = (f"SELECT contact_id FROM {db}.contact_facts FINAL "
                f"WHERE has_offered AND offered_ms >= {start_ms} AND offered_ms < {end_ms}")
    result = store.engine.query(
        f"SELECT event_id, any(type) AS e_type, any(ts_ms) AS e_ts_ms, any(agent_id) AS e_agent_id, "
        f"any(contact_id) AS e_contact_id, min(ingested_ms) AS first_ingested_ms FROM {db}.events "
        f"WHERE (ts_ms >= {start_ms} AND ts_ms < {end_ms}) OR contact_id IN ({contacts}) "
        f"GROUP BY event_id HAVING first_ingested_ms > {closed.closed_ms} ORDER BY e_ts_ms, event_id")
    names = [n[2:] if n.startswith("e_") else n for n in result]  # the e_ aliases keep WHERE on the columns
    return [dict(zip(names, values)) for values in zip(*result.values())]
