"""Scorecard acknowledgements: an agent signs a closed month once; who is overdue and since when.

The centre's appraisal rules give results to each agent within 3 working days
(source documents 000-003); we read "overdue" as: not acknowledged by the end
of the third working day (Monday to Friday, minus the holidays in the
settings) after the day the month was closed, in the centre's zone.  A close
on Friday 2026-11-06 is due by the end of Wednesday 11-11 and overdue from
Thursday 11-12 00:00 local.  A reopened month counts from its close in force.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.payroll.audit import current_close_ms
from pipeline.store import people_tables as tables
from pipeline.store.store import Store


class AckError(ValueError):
    """The acknowledgement is refused; the message says why (the app answers 409)."""


def working_days_after(start: date, days: int, holidays: Iterable[date]) -> date:
    """The ``days``-th working day after ``start`` (Monday-Friday, holidays skipped)."""
    off = set(holidays)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            counted += 1
    return day


def overdue_from_ms(closed_ms: int, zone: ZoneInfo, days: int, holidays: Iterable[date]) -> int:
    """The first instant an unacknowledged month is overdue: the start of the day after the last day due."""
    closed_day = datetime.fromtimestamp(closed_ms / 1000, zone).date()
    last = working_days_after(closed_day, days, holidays)
    start = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    return int(start.timestamp() * 1000)


def acknowledge(payroll: Store, month: str, agent_id: str, username: str, now_ms: int | None = None) -> dict[str, Any]:
    """Record the agent's acknowledgement; refused for an open month, kept as first given when repeated."""
    if current_close_ms(payroll, month) is None:
        raise AckError(f"month {month}: not closed; a scorecard is acknowledged once the month is closed")
    earlier = own_ack(payroll, month, agent_id)
    if earlier is not None:
        return {**earlier, "at_ms": int(earlier["at_ms"]), "already": True}
    row = {"month": month, "agent_id": agent_id, "username": username,
           "at_ms": int(time.time() * 1000) if now_ms is None else now_ms}
    tables.add_ack(payroll, row)
    return {**row, "already": False}


def own_ack(payroll: Store, month: str, agent_id: str) -> dict[str, Any] | None:
    """The agent's acknowledgement of the month, or None."""
    return next((row for row in tables.acks(payroll, month) if row["agent_id"] == agent_id), None)


def month_acks(payroll: Store, month: str, agent_ids: list[str], zone: ZoneInfo, days: int,
               holidays: Iterable[date], now_ms: int) -> dict[str, Any]:
    """For these agents: who acknowledged and when, who has not, and who is overdue."""
    closed_ms = current_close_ms(payroll, month)
    signed = {row["agent_id"]: row for row in tables.acks(payroll, month)}
    due_ms = overdue_from_ms(closed_ms, zone, days, holidays) if closed_ms is not None else None
    rows = []
    for agent in agent_ids:
        ack = signed.get(agent)
        rows.append({"agent_id": agent, "acknowledged": ack is not None,
                     "username": ack["username"] if ack else None, "at_ms": int(ack["at_ms"]) if ack else None,
                     "overdue": ack is None and due_ms is not None and now_ms >= due_ms})
    return {"month": month, "closed": closed_ms is not None, "closed_ms": closed_ms, "overdue_from_ms": due_ms,
            "rows": rows}
