"""The supervisor's coaching note and improvement plan per agent and month (the agent reads them).

The appraisal handbooks ask for a case review and an improvement plan signed
by the agent; each save is kept (append-only) and the latest is shown.
"""

from __future__ import annotations

import time
from typing import Any

from pipeline.store import people_tables as tables
from pipeline.store.store import Store

MAX_CHARS = 4000


class NoteError(ValueError):
    """The note is refused; the message names the field."""


def save(payroll: Store, month: str, agent_id: str, who: str, note: str, plan: str,
         now_ms: int | None = None) -> dict[str, Any]:
    for name, text in (("note", note), ("plan", plan)):
        if len(text) > MAX_CHARS:
            raise NoteError(f"{name}: at most {MAX_CHARS} characters, got {len(text)}")
    row = {"month": month, "agent_id": agent_id, "at_ms": int(time.time() * 1000) if now_ms is None else now_ms,
           "who": who, "note": note, "plan": plan}
    tables.add_note(payroll, row)
    return row


def latest(payroll: Store, month: str, agent_id: str) -> dict[str, Any] | None:
    row = tables.latest_note(payroll, month, agent_id)
    return None if row is None else {**row, "at_ms": int(row["at_ms"])}
