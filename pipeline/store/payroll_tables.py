"""Reads and writes of the payroll database's tables (migrations in ``migrations/payroll/``).

The payroll package decides what a close, a reopen or an inputs import
means; this module is the SQL that stores and finds them, so a column change
touches the migrations and ``pipeline/store/`` only.  Every table here is
append-only: a month's history is versions, never updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.store.engines import literal
from pipeline.store.store import Store

AUDIT_COLUMNS: dict[str, str] = {
    "month": "str", "version": "int", "action": "str", "at_ms": "int", "who": "str", "reason": "str",
    "policy_name": "str", "policy_sha256": "str", "roster_sha256": "str", "inputs_sha256": "str", "totals": "str",
}
_ROW_COLUMNS = {"month": "str", "closed_ms": "int", "position": "int", "agent_id": "str", "row": "str"}
_ADJUSTMENT_COLUMNS = {"month": "str", "closed_ms": "int", "position": "int", "agent_id": "str",
                       "for_month": "str", "line": "str"}
CLOSE_COLUMNS: dict[str, str] = {name: "int" if name == "closed_ms" else "str" for name in (
    "month", "closed_ms", "checksum", "tz", "source_db", "policy_name", "policy_text", "roster_text", "meta")}
_INPUTS_COLUMNS = {"month": "str", "at_ms": "int", "who": "str", "source": "str", "text": "str"}


def audit_rows(payroll: Store, month: str) -> list[dict[str, Any]]:
    """The month's audit versions, oldest first, as column -> value."""
    result = payroll.engine.query(
        f"SELECT {', '.join(AUDIT_COLUMNS)} FROM {payroll.db}.payroll_audit WHERE month = {literal(month)} "
        f"ORDER BY version")
    return [dict(zip(AUDIT_COLUMNS, values)) for values in zip(*(result[name] for name in AUDIT_COLUMNS))]


def add_audit_row(payroll: Store, row: dict[str, Any]) -> None:
    payroll.engine.insert("payroll_audit", {k: [row[k]] for k in AUDIT_COLUMNS}, AUDIT_COLUMNS)


def latest_close_or_reopen(payroll: Store, month: str) -> tuple[str, int] | None:
    """(action, at_ms) of the month's latest close or reopen version, or None when it has none."""
    result = payroll.engine.query(
        f"SELECT action, at_ms FROM {payroll.db}.payroll_audit WHERE month = {literal(month)} "
        f"AND action IN ('close', 'reopen') ORDER BY version DESC LIMIT 1")
    return (str(result["action"][0]), int(result["at_ms"][0])) if result["action"] else None


def first_close_ms(payroll: Store, month: str) -> int | None:
    """The first close of the month in ``payroll_closes`` (months closed before the audit table existed)."""
    result = payroll.engine.query(
        f"SELECT closed_ms FROM {payroll.db}.payroll_closes WHERE month = {literal(month)} ORDER BY closed_ms LIMIT 1")
    return int(result["closed_ms"][0]) if result["closed_ms"] else None


def closed_month_names(payroll: Store) -> list[str]:
    """Every month that has ever been closed, in order."""
    result = payroll.engine.query(f"SELECT DISTINCT month FROM {payroll.db}.payroll_closes ORDER BY month")
    return [str(m) for m in result["month"]]


def frozen_close(payroll: Store, month: str, closed_ms: int) -> tuple[dict[str, Any], list[str], list[str]]:
    """One close: its record, its rows' JSON texts and its carried adjustment lines' JSON texts, in order."""
    db, name = payroll.db, literal(month)
    closes = payroll.engine.query(
        f"SELECT checksum, tz, policy_name, policy_text, roster_text, meta FROM {db}.payroll_closes "
        f"WHERE month = {name} AND closed_ms = {closed_ms} LIMIT 1")
    rows = payroll.engine.query(
        f"SELECT row FROM {db}.payroll_rows WHERE month = {name} AND closed_ms = {closed_ms} ORDER BY position")
    lines = payroll.engine.query(
        f"SELECT line FROM {db}.payroll_adjustments WHERE month = {name} AND closed_ms = {closed_ms} "
        f"ORDER BY position")
    record = {name: values[0] for name, values in closes.items()}
    return record, list(rows["row"]), list(lines["line"])


def freeze(payroll: Store, month: str, closed_ms: int, rows: Sequence[tuple[str, str]],
           lines: Sequence[tuple[str, str, str]], close: dict[str, Any]) -> None:
    """Write one close: rows (agent_id, JSON) and lines (agent_id, for_month, JSON) first, then its record."""
    n = len(rows)
    payroll.engine.insert("payroll_rows", {
        "month": [month] * n, "closed_ms": [closed_ms] * n, "position": list(range(n)),
        "agent_id": [agent for agent, _ in rows], "row": [text for _, text in rows]}, _ROW_COLUMNS)
    if lines:
        m = len(lines)
        payroll.engine.insert("payroll_adjustments", {
            "month": [month] * m, "closed_ms": [closed_ms] * m, "position": list(range(m)),
            "agent_id": [agent for agent, _, _ in lines], "for_month": [for_month for _, for_month, _ in lines],
            "line": [text for _, _, text in lines]}, _ADJUSTMENT_COLUMNS)
    payroll.engine.insert("payroll_closes", {k: [close[k]] for k in CLOSE_COLUMNS}, CLOSE_COLUMNS)


def adjustment_lines_for(payroll: Store, for_month: str) -> list[tuple[str, int, str]]:
    """(month, closed_ms, line JSON) of every correction of ``for_month`` any close carried, in order."""
    result = payroll.engine.query(
        f"SELECT month, closed_ms, line FROM {payroll.db}.payroll_adjustments "
        f"WHERE for_month = {literal(for_month)} ORDER BY month, closed_ms, position")
    return [(str(m), int(c), str(t)) for m, c, t in zip(result["month"], result["closed_ms"], result["line"])]


def add_inputs(payroll: Store, month: str, at_ms: int, who: str, source: str, text: str, policy: str = "") -> None:
    """One import of a month's supervisor inputs; ``policy`` names the policy whose declared inputs these are
    ('' for the built-in columns)."""
    payroll.engine.insert("payroll_inputs", {"month": [month], "at_ms": [at_ms], "who": [who], "source": [source],
                                             "text": [text], "policy": [policy]},
                          {**_INPUTS_COLUMNS, "policy": "str"})


def latest_inputs_text(payroll: Store, month: str, policy: str = "") -> str:
    """The CSV text of the month's latest supervisor-inputs import for ``policy`` ('' when none)."""
    result = payroll.engine.query(
        f"SELECT text FROM {payroll.db}.payroll_inputs WHERE month = {literal(month)} AND policy = {literal(policy)} "
        f"ORDER BY at_ms DESC LIMIT 1")
    return str(result["text"][0]) if result["text"] else ""


def add_manual_lines(payroll: Store, month: str, at_ms: int, who: str, source: str, text: str) -> None:
    payroll.engine.insert("payroll_manual_lines", {"month": [month], "at_ms": [at_ms], "who": [who],
                                                   "source": [source], "text": [text]}, _INPUTS_COLUMNS)


def latest_manual_lines_text(payroll: Store, month: str) -> str:
    """The CSV text of the month's latest penalty and bonus lines ('' when none)."""
    result = payroll.engine.query(
        f"SELECT text FROM {payroll.db}.payroll_manual_lines WHERE month = {literal(month)} "
        f"ORDER BY at_ms DESC LIMIT 1")
    return str(result["text"][0]) if result["text"] else ""
