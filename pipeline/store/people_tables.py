"""Reads and writes of the people tables in the payroll database (migration ``payroll/0005_people.sql``).

Accounts, the web audit trail, scorecard acknowledgements and coaching notes:
``pipeline.people`` decides what they mean, this module is their SQL.  Every
table is append-only: an account's change, a note's edit is a new row.
"""

from __future__ import annotations

from typing import Any

from pipeline.store.engines import literal
from pipeline.store.store import Store

USER_COLUMNS: dict[str, str] = {
    "username": "str", "version": "int", "at_ms": "int", "role": "str", "agent_id": "str", "team": "str",
    "password_hash": "str", "disabled": "int", "who": "str"}
AUDIT_COLUMNS: dict[str, str] = {"at_ms": "int", "who": "str", "action": "str", "address": "str", "detail": "str"}
ACK_COLUMNS: dict[str, str] = {"month": "str", "agent_id": "str", "username": "str", "at_ms": "int"}
NOTE_COLUMNS: dict[str, str] = {"month": "str", "agent_id": "str", "at_ms": "int", "who": "str", "note": "str",
                                "plan": "str"}


def _rows(payroll: Store, columns: dict[str, str], sql: str) -> list[dict[str, Any]]:
    result = payroll.engine.query(sql)
    return [dict(zip(columns, values)) for values in zip(*(result[name] for name in columns))]


def _insert(payroll: Store, table: str, columns: dict[str, str], row: dict[str, Any]) -> None:
    payroll.engine.insert(table, {name: [row[name]] for name in columns}, columns)


def latest_users(payroll: Store) -> list[dict[str, Any]]:
    """Every account's version in force, by username."""
    names = ", ".join(USER_COLUMNS)
    return _rows(payroll, USER_COLUMNS,
                 f"SELECT {names} FROM {payroll.db}.people_users ORDER BY username, version DESC LIMIT 1 BY username")


def latest_user(payroll: Store, username: str) -> dict[str, Any] | None:
    names = ", ".join(USER_COLUMNS)
    found = _rows(payroll, USER_COLUMNS, f"SELECT {names} FROM {payroll.db}.people_users "
                                         f"WHERE username = {literal(username)} ORDER BY version DESC LIMIT 1")
    return found[0] if found else None


def add_user_version(payroll: Store, row: dict[str, Any]) -> None:
    _insert(payroll, "people_users", USER_COLUMNS, row)


def add_audit(payroll: Store, row: dict[str, Any]) -> None:
    _insert(payroll, "people_audit", AUDIT_COLUMNS, row)


def audit_since(payroll: Store, since_ms: int) -> list[dict[str, Any]]:
    """The web audit trail from ``since_ms``, oldest first."""
    return _rows(payroll, AUDIT_COLUMNS, f"SELECT {', '.join(AUDIT_COLUMNS)} FROM {payroll.db}.people_audit "
                                         f"WHERE at_ms >= {int(since_ms)} ORDER BY at_ms, who")


def acks(payroll: Store, month: str) -> list[dict[str, Any]]:
    """The first acknowledgement of each agent for the month."""
    return _rows(payroll, ACK_COLUMNS,
                 f"SELECT {', '.join(ACK_COLUMNS)} FROM {payroll.db}.scorecard_acks WHERE month = {literal(month)} "
                 f"ORDER BY agent_id, at_ms LIMIT 1 BY agent_id")


def add_ack(payroll: Store, row: dict[str, Any]) -> None:
    _insert(payroll, "scorecard_acks", ACK_COLUMNS, row)


def latest_note(payroll: Store, month: str, agent_id: str) -> dict[str, Any] | None:
    found = _rows(payroll, NOTE_COLUMNS,
                  f"SELECT {', '.join(NOTE_COLUMNS)} FROM {payroll.db}.coaching_notes WHERE month = {literal(month)} "
                  f"AND agent_id = {literal(agent_id)} ORDER BY at_ms DESC LIMIT 1")
    return found[0] if found else None


def add_note(payroll: Store, row: dict[str, Any]) -> None:
    _insert(payroll, "coaching_notes", NOTE_COLUMNS, row)
