"""Supervisor inputs: per agent and month, what no event carries, from a CSV.

Header ``agent_id`` plus any of ``INPUT_COLUMNS``; an empty cell is "not
given".  Validation names the file, the row and the column: an agent not in
the roster, an unknown column, a score outside 0..its weight on the policy's
100-point card (0..100 without one), a negative or non-whole count, more
callbacks or tickets done than due.  Imports are versioned like closes: each
one is kept (``payroll_inputs``) and listed by ``payroll history``; the
latest is in force until the month is closed, which freezes it.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pipeline.payroll.audit import current_close_ms, record
from pipeline.payroll.model import AgentInputs, Month
from pipeline.payroll.policy import Policy
from pipeline.payroll.roster import Roster
from pipeline.store import payroll_tables as tables
from pipeline.store.store import Store

SCORES = ("attitude", "teamwork")
COUNTS = ("compliance_breaches", "business_errors", "fraud_orders", "callbacks_due", "callbacks_done",
          "tickets_due", "tickets_in_time", "hours_over_limit")
INPUT_COLUMNS = SCORES + COUNTS
AT_MOST = {"callbacks_done": "callbacks_due", "tickets_in_time": "tickets_due"}
Inputs = dict[str, AgentInputs]


class InputsError(Exception):
    """The inputs file is wrong; the message names the row and the column."""


def score_limit(policy: Policy, column: str) -> Decimal:
    """The highest score a supervisor may give: its weight on the 100-point card."""
    card = policy.card100
    return Decimal(getattr(card, column)) if card is not None else Decimal(100)


def _score(raw: str, where: str, column: str, policy: Policy) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InputsError(f"{where}, column {column}: {raw!r} is not a number") from None
    limit = score_limit(policy, column)
    if not value.is_finite() or not 0 <= value <= limit:
        raise InputsError(f"{where}, column {column}: {raw} is out of range 0..{limit} (its weight on the "
                          f"policy's 100-point card)")
    return value


def _count(raw: str, where: str, column: str) -> int:
    if not raw.isdigit():
        raise InputsError(f"{where}, column {column}: {raw!r} is not a whole number >= 0")
    return int(raw)


def parse_inputs(text: str, source: str, roster: Roster, policy: Policy, month: Month | None = None) -> Inputs:
    """Inputs by agent; InputsError names the file, row and column of the first problem.

    A policy that declares its inputs takes exactly those columns (and ``date``
    when they are per day: then one row per agent and local day of ``month``);
    otherwise the columns are ``INPUT_COLUMNS``."""
    if policy.inputs:
        return parse_declared(text, source, roster, policy, month)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    if "agent_id" not in header:
        raise InputsError(f"{source}: no agent_id column; the header is agent_id plus any of "
                          f"{', '.join(INPUT_COLUMNS)}")
    unknown = [name for name in header if name not in ("agent_id",) + INPUT_COLUMNS]
    if unknown:
        raise InputsError(f"{source} row 1, column {unknown[0]}: unknown column; columns are agent_id, "
                          f"{', '.join(INPUT_COLUMNS)}")
    found: Inputs = {}
    for index, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        where = f"{source} row {index}"
        agent = _agent(row, where, roster)
        if agent in found:
            raise InputsError(f"{where}, column agent_id: agent {agent!r} is listed twice")
        values: dict[str, Any] = {}
        for column in INPUT_COLUMNS:
            cell = row.get(column, "")
            if cell == "":
                continue
            values[column] = _score(cell, where, column, policy) if column in SCORES else _count(cell, where, column)
        for done, due in AT_MOST.items():
            if values.get(done, 0) > values.get(due, 0):
                raise InputsError(f"{where}, column {done}: {values[done]} is more than {due} "
                                  f"{values.get(due, 0)}")
        found[agent] = AgentInputs(agent_id=agent, **values)
    return found


def _agent(row: dict[str, str], where: str, roster: Roster) -> str:
    agent = row.get("agent_id", "")
    if agent not in roster:
        raise InputsError(f"{where}, column agent_id: agent {agent!r} is not in the roster; fix the id or "
                          f"add the agent to the roster")
    return agent


def parse_declared(text: str, source: str, roster: Roster, policy: Policy, month: Month | None) -> Inputs:
    """The policy's declared inputs: per month (one row per agent) or per day (a ``date`` column)."""
    daily = policy.inputs[0].per == "day"
    specs = {spec.name: spec for spec in policy.inputs}
    allowed = ("agent_id",) + (("date",) if daily else ()) + tuple(specs)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in allowed[:2 if daily else 1] if name not in header]
    if missing:
        raise InputsError(f"{source}: no {missing[0]} column; the header is {', '.join(allowed[:2 if daily else 1])} "
                          f"plus any of {', '.join(specs)} (policy {policy.name})")
    unknown = [name for name in header if name not in allowed]
    if unknown:
        raise InputsError(f"{source} row 1, column {unknown[0]}: unknown column; policy {policy.name} takes "
                          f"{', '.join(allowed)}")
    monthly: dict[str, dict[str, Decimal]] = {}
    days: dict[str, dict[date, dict[str, Decimal]]] = {}
    for index, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        where = f"{source} row {index}"
        agent = _agent(row, where, roster)
        values = {}
        for name, spec in specs.items():
            if row.get(name, "") == "":
                continue
            try:
                values[name] = spec.parse(row[name])
            except ValueError as exc:
                raise InputsError(f"{where}, column {name}: {exc}") from None
        if not daily:
            if agent in monthly:
                raise InputsError(f"{where}, column agent_id: agent {agent!r} is listed twice")
            monthly[agent] = values
            continue
        day = _day(row.get("date", ""), where, month)
        if day in days.setdefault(agent, {}):
            raise InputsError(f"{where}, column date: agent {agent!r} has two rows for {day}")
        days[agent][day] = values
    agents = sorted(set(monthly) | set(days))
    return {agent: AgentInputs(agent_id=agent, values=monthly.get(agent, {}), days=days.get(agent, {}),
                               **_legacy(monthly.get(agent, {}))) for agent in agents}


def _legacy(values: Mapping[str, Decimal]) -> dict[str, Any]:
    """Declared monthly counts named like the built-in ones also fill those (the sheet's columns)."""
    return {name: int(values[name]) for name in COUNTS if name in values}


def _day(raw: str, where: str, month: Month | None) -> date:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InputsError(f"{where}, column date: {raw!r} is not a date; write YYYY-MM-DD") from None
    if month is not None and not month.first <= day <= month.last:
        raise InputsError(f"{where}, column date: {day} is outside {month}; import each month's days with "
                          f"--month of that month")
    return day


def policy_key(policy: Policy) -> str:
    """Whose inputs an import is: a policy declaring its inputs keeps its own ('' for the built-in columns)."""
    return policy.name if policy.inputs else ""


def save_inputs(payroll: Store, month: Month, text: str, source: str, who: str, checksum: str,
                agents: int, now_ms: int | None = None, policy: str = "") -> int:
    """Keep this import as the month's inputs in force (a new version); refused for a closed month."""
    if current_close_ms(payroll, month) is not None:
        raise InputsError(f"{month} is closed; reopen it (`payroll reopen --month {month} --reason TEXT`) to "
                           f"change its supervisor inputs")
    at_ms = int(time.time() * 1000) if now_ms is None else now_ms
    tables.add_inputs(payroll, str(month), at_ms, who, source, text, policy)
    version = record(payroll, str(month), "inputs", at_ms, who, f"imported {source}", policy, "", "", checksum,
                     {"agents": agents})
    return version.version


def current_inputs_text(payroll: Store, month: Month | str, policy: str = "") -> str:
    """The CSV text of the month's latest import for ``policy`` (see ``policy_key``; '' when none)."""
    return tables.latest_inputs_text(payroll, str(month), policy)


def inputs_json(inputs: Mapping[str, AgentInputs]) -> list[dict[str, Any]]:
    """Canonical form for the inputs checksum."""
    return [json.loads(json.dumps(_canonical(vars(inputs[a])), default=str)) for a in sorted(inputs)]


def _canonical(values: Mapping[Any, Any]) -> dict[str, Any]:
    """Plain JSON: decimals as text, days as ISO keys; empty declared inputs left out (earlier checksums)."""
    out = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            if value:
                out[str(key)] = _canonical(value)
        else:
            out[str(key)] = str(value) if isinstance(value, Decimal) else value
    return out


def month_inputs(payroll: Store, month: Month | str, roster: Roster, policy: Policy) -> tuple[str, Inputs]:
    """The month's inputs in force (text and parsed); none imported: ('', {})."""
    text = current_inputs_text(payroll, month, policy_key(policy))
    return text, parse_inputs(text, f"supervisor inputs of {month}", roster, policy,
                              Month.parse(str(month))) if text else {}
