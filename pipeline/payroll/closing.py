"""Closing a month: freeze its sheet in the payroll database, version every close and reopen.

Payroll must be reproducible to the cent, so a closed month is never
recomputed: ``close_month`` writes the scored rows once, with the policy and
roster text, the correction lines it carries for earlier months and a sha256
of every input (month, zone, policy, roster, rollup figures, corrections);
exports of a closed month read those rows.  Every close and reopen adds a
version to the audit table (``pipeline.payroll.audit``); the month's latest
version says whether it is closed.  Events that arrive for the month after the
close are listed by ``late_events`` and never applied: a later close carries
their effect as adjustment lines (``pipeline.payroll.adjustments``).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pipeline.payroll.audit import Version, closed_months, current_close_ms, record, versions
from pipeline.payroll.department import DepartmentResult, apply_best_agent, department_result
from pipeline.payroll.inputs import inputs_json
from pipeline.payroll.manual_lines import ManualLine, apply_lines
from pipeline.payroll.model import AdjustmentLine, AgentInputs, Month
from pipeline.payroll.policy import Policy
from pipeline.payroll.rollup import MonthRollup
from pipeline.payroll.roster import Roster
from pipeline.payroll.sheet import build_rows, point_card_keys
from pipeline.settings import Settings
from pipeline.store import payroll_tables as tables
from pipeline.store import reads
from pipeline.store.store_url import parse_url, with_database
from pipeline.store.migrations import PAYROLL_MIGRATIONS, migrate
from pipeline.store.store import Store


class ClosingError(Exception):
    """The month cannot be closed or reopened; the message says why and what to do."""


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
    adjustments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CloseInputs:
    """Everything a close freezes besides the rows it scores from them."""

    rollup: MonthRollup
    roster: Roster
    roster_text: str
    policy: Policy
    policy_text: str
    adjustments: tuple[AdjustmentLine, ...] = ()
    roster_format: str = "csv"
    inputs: Mapping[str, AgentInputs] = field(default_factory=dict)
    inputs_text: str = ""
    salary_total: Decimal | None = None
    department_figures: Mapping[str, Any] = field(default_factory=dict)
    points: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # ranking ledger per agent
    seat_policies: Mapping[str, tuple[Policy, str]] = field(default_factory=dict)  # group -> policy, its text
    manual_lines: tuple[ManualLine, ...] = ()  # penalty and bonus lines in force
    manual_text: str = ""

    @property
    def group_policies(self) -> dict[str, Policy]:
        return {group: policy for group, (policy, _) in self.seat_policies.items()}


def month_rows(inputs: CloseInputs) -> tuple[list[dict[str, Any]], DepartmentResult | None]:
    """The month's rows as a close would freeze them, with the department result (None without one)."""
    rows = build_rows(inputs.rollup, inputs.roster, inputs.policy, inputs.adjustments, inputs.inputs,
                      inputs.group_policies)
    department = department_result(dict(inputs.department_figures), rows, inputs.policy, inputs.salary_total)
    apply_best_agent(rows, department, inputs.policy)
    if inputs.policy.ranking is not None or inputs.policy.points is not None:
        for row in rows:
            row.update(inputs.points.get(row["agent_id"], {}))
    apply_lines(rows, inputs.manual_lines, inputs.policy)
    return rows, department


def payroll_url(settings: Settings, store_url: str) -> str:
    """The payroll store: the setting, else the events store's place with the payroll database (on a
    cluster its replicas, cluster and quorum too: a backup freezes both databases the same way)."""
    if settings.payroll_store_url:
        return settings.payroll_store_url
    parsed = parse_url(store_url)
    database = settings.stack.payroll_database
    if parsed.scheme == "chdb":
        return f"chdb://{parsed.path}?database={database}"  # chDB: one folder per process
    return with_database(store_url, database)


def open_payroll_store(url: str) -> Store:
    """The payroll database with its own migrations (never the events schema)."""
    store = Store.open(url, migrate_schema=False)
    migrate(store.engine, PAYROLL_MIGRATIONS)
    return store


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inputs_checksum(inputs: CloseInputs) -> str:
    """sha256 of the canonical JSON of everything the amounts are computed from."""
    rollup, roster = inputs.rollup, inputs.roster
    document: dict[str, Any] = {
        "month": str(rollup.month), "tz": rollup.tz, "policy": inputs.policy_text,
        "roster": [roster[a].as_json() for a in sorted(roster)],
        "rollup": [agent.as_json() for agent in rollup.agents],
    }
    if inputs.adjustments:  # absent when there are none, so earlier checksums stay comparable
        document["adjustments"] = [line.as_json() for line in inputs.adjustments]
    if inputs.inputs:
        document["supervisor_inputs"] = inputs_json(inputs.inputs)
    if inputs.policy.department is not None:
        document["salary_total"] = None if inputs.salary_total is None else str(inputs.salary_total)
        document["department_figures"] = dict(inputs.department_figures)
    if inputs.manual_text:
        document["manual_lines"] = inputs.manual_text
    if inputs.seat_policies:
        document["seat_policies"] = {group: text for group, (_, text) in sorted(inputs.seat_policies.items())}
    if inputs.policy.ranking is not None or inputs.points:
        document["points"] = {agent: dict(line) for agent, line in sorted(inputs.points.items())}
    return sha256(canonical(document))


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def find_closed(payroll: Store, month: Month | str) -> ClosedMonth | None:
    """The month's close in force with its frozen rows and carried corrections, or None when open."""
    closed_ms = current_close_ms(payroll, month)
    if closed_ms is None:
        return None
    close, rows, lines = tables.frozen_close(payroll, str(month), closed_ms)
    return ClosedMonth(str(month), closed_ms, close["checksum"], close["tz"], close["policy_name"],
                       close["policy_text"], close["roster_text"], json.loads(close["meta"]),
                       [json.loads(text) for text in rows], [json.loads(text) for text in lines])


def totals_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What a version records of the money: agents, bonus, adjustments and payable totals."""
    def total(key: str) -> str:
        return str(sum((Decimal(r.get(key) or 0) for r in rows), Decimal("0.00")))

    return {"agents": len(rows), "bonus_total": total("amount"), "adjustments_total": total("adjustment"),
            "payable_total": total("payable")}


def refuse_if_closed(payroll: Store, month: Month | str) -> None:
    """A closed month is never recomputed: closing it again needs a reopen first."""
    if current_close_ms(payroll, month) is not None:
        raise ClosingError(f"{month} is closed; a closed month is never recomputed: export it, list late events "
                           f"with `payroll late`, or reopen it with `payroll reopen --month {month} --reason TEXT`")


def close_month(payroll: Store, source_db: str, inputs: CloseInputs, who: str,
                now_ms: int | None = None) -> ClosedMonth:
    """Score and freeze the month as a new version; refuse when it is closed already."""
    month = str(inputs.rollup.month)
    refuse_if_closed(payroll, month)
    rows, department = month_rows(inputs)
    earlier = versions(payroll, month)
    closed_ms = int(time.time() * 1000) if now_ms is None else now_ms
    closed_ms = max([closed_ms] + [v.at_ms + 1 for v in earlier])  # each close keys its own rows
    rollup, policy = inputs.rollup, inputs.policy
    meta = {"currency": policy.currency, "card": [line.kpi for line in policy.card],
            "not_in_roster": list(rollup.not_in_roster), "start_ms": rollup.start_ms, "end_ms": rollup.end_ms,
            "roster_format": inputs.roster_format, "card100": policy.card100 is not None,
            "ranking": policy.ranking is not None,
            **({"point_card": keys} if (keys := list(dict.fromkeys(
                key for p in [policy, *inputs.group_policies.values()] for key in point_card_keys(p)))) else {}),
            **({"points": True} if policy.points else {}),
            **({"seat_policies": {g: text for g, (_, text) in inputs.seat_policies.items()}}
               if inputs.seat_policies else {}),
            **({"manual_lines_text": inputs.manual_text} if inputs.manual_text else {}),
            "inputs_text": inputs.inputs_text, "department": department.as_json() if department else None}
    checksum = inputs_checksum(inputs)
    # rows, lines and the close record first: the audit version below makes the close visible
    tables.freeze(
        payroll, month, closed_ms, [(r["agent_id"], canonical(r)) for r in rows],
        [(line.agent_id, line.for_month, canonical(line.as_json())) for line in inputs.adjustments],
        {"month": month, "closed_ms": closed_ms, "checksum": checksum, "tz": rollup.tz, "source_db": source_db,
         "policy_name": policy.name, "policy_text": inputs.policy_text, "roster_text": inputs.roster_text,
         "meta": canonical(meta)})
    record(payroll, month, "close", closed_ms, who, "", policy.name, sha256(inputs.policy_text),
           sha256(inputs.roster_text), checksum, totals_of(rows))
    closed = find_closed(payroll, month)
    assert closed is not None
    return closed


def reopen_month(payroll: Store, month: Month, reason: str, who: str, now_ms: int | None = None) -> Version:
    """Open a closed month again (its frozen versions stay); refused when a later month is closed.

    A later close may already carry corrections of this month: re-closing it
    with new amounts would pay them twice, so later months are reopened first.
    """
    if not reason.strip():
        raise ClosingError("reopen needs --reason TEXT: the audit trail says why a closed month was reopened")
    closed = find_closed(payroll, month)
    if closed is None:
        raise ClosingError(f"{month} is not closed; nothing to reopen (`payroll history --month {month}`)")
    later = [m for m in closed_months(payroll) if m > str(month) and current_close_ms(payroll, m) is not None]
    if later:
        raise ClosingError(f"{later[-1]} is closed after {month} and may carry its corrections; reopen "
                           f"{', '.join(reversed(later))} first, or leave {month} closed and let "
                           f"`payroll adjustments` book the correction")
    history = versions(payroll, month)
    last = history[-1] if history else None
    at_ms = int(time.time() * 1000) if now_ms is None else now_ms
    at_ms = max(at_ms, closed.closed_ms + 1)
    return record(payroll, str(month), "reopen", at_ms, who, reason.strip(), closed.policy_name,
                  last.policy_sha256 if last else sha256(closed.policy_text),
                  last.roster_sha256 if last else sha256(closed.roster_text), closed.checksum,
                  totals_of(closed.rows))


def late_events(store: Store, closed: ClosedMonth) -> list[dict[str, Any]]:
    """Events first ingested after the close that belong to the month.

    They belong to it when their own time falls in the month or their contact
    was offered in it (a survey a week later changes that contact's month).
    The first ingestion of an event counts, so a replayed duplicate is not late.
    """
    return reads.events_first_ingested_after(store, int(closed.meta["start_ms"]), int(closed.meta["end_ms"]),
                                             closed.closed_ms)
