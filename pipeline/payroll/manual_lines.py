"""Penalty deductions and manual bonus lines: money a clerk books per agent and month, each with its reason.

003 takes money off for serious misconduct ("严重警告,并进行扣款") and centres pay
one-off bonuses; booking them outside the close would leave the frozen export
different from what is paid.  A CSV (``agent_id,kind,amount,reason``; kind
``penalty`` or ``bonus``, amount > 0, a reason) is imported by ``payroll
lines``: each import is a version in the audit trail, the latest is in force
until the close freezes it.  On the row: ``manual_lines`` (each line with its
reason), ``manual_total`` (bonuses - penalties) added to ``payable``.  A
correction of a closed month (``payroll adjustments``) compares the quality
bonus only, never these lines.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pipeline.payroll.audit import current_close_ms, record
from pipeline.payroll.inputs import InputsError
from pipeline.payroll.model import Month
from pipeline.payroll.policy import Policy
from pipeline.payroll.roster import Roster
from pipeline.store import payroll_tables as tables
from pipeline.store.store import Store

COLUMNS = ("agent_id", "kind", "amount", "reason")


@dataclass(frozen=True)
class ManualLine:
    agent_id: str
    kind: str
    amount: Decimal
    reason: str

    @property
    def signed(self) -> Decimal:
        return -self.amount if self.kind == "penalty" else self.amount


def parse_lines(text: str, source: str, roster: Roster) -> list[ManualLine]:
    """The lines of a CSV; InputsError names the file, row and column of the first problem."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    if header != list(COLUMNS):
        raise InputsError(f"{source}: the header is {','.join(header) or '(none)'}; write {','.join(COLUMNS)}")
    lines = []
    for index, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        where = f"{source} row {index}"
        if row["agent_id"] not in roster:
            raise InputsError(f"{where}, column agent_id: agent {row['agent_id']!r} is not in the roster")
        if row["kind"] not in ("penalty", "bonus"):
            raise InputsError(f"{where}, column kind: {row['kind']!r}; write penalty or bonus")
        try:
            amount = Decimal(row["amount"])
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite() or amount <= 0:
            raise InputsError(f"{where}, column amount: {row['amount']!r} is not an amount > 0 (the kind says "
                              f"its sign)")
        if not row["reason"]:
            raise InputsError(f"{where}, column reason: every line needs its reason")
        lines.append(ManualLine(row["agent_id"], row["kind"], amount, row["reason"]))
    return lines


def save_lines(payroll: Store, month: Month, text: str, source: str, who: str, checksum: str, count: int,
               now_ms: int | None = None) -> int:
    """Keep this import as the month's lines in force (a new version); refused for a closed month."""
    if current_close_ms(payroll, month) is not None:
        raise InputsError(f"{month} is closed; reopen it (`payroll reopen --month {month} --reason TEXT`) to "
                          f"change its penalty and bonus lines")
    at_ms = int(time.time() * 1000) if now_ms is None else now_ms
    tables.add_manual_lines(payroll, str(month), at_ms, who, source, text)
    return record(payroll, str(month), "lines", at_ms, who, f"imported {source}", "", "", "", checksum,
                  {"lines": count}).version


def month_lines(payroll: Store, month: Month, roster: Roster) -> tuple[str, list[ManualLine]]:
    text = tables.latest_manual_lines_text(payroll, str(month))
    return text, parse_lines(text, f"penalty and bonus lines of {month}", roster) if text else []


def apply_lines(rows: list[dict[str, Any]], lines: Sequence[ManualLine], policy: Policy) -> None:
    """Each agent's lines onto its row: ``manual_lines``, ``manual_total`` and the payable amount."""
    by_agent: dict[str, list[ManualLine]] = {}
    for line in lines:
        by_agent.setdefault(line.agent_id, []).append(line)
    for row in rows:
        mine = by_agent.get(row["agent_id"], [])
        if not mine:
            continue
        total = sum((line.signed for line in mine), Decimal(0))
        row["manual_lines"] = [f"{line.kind} {policy.rounding.money(line.signed)}: {line.reason}" for line in mine]
        row["manual_total"] = str(policy.rounding.money(total))
        row["payable"] = str(policy.rounding.money(Decimal(row["payable"]) + total))
