"""Corrections for late events: what a closed month would pay now, against what it was closed at.

A closed month never changes (its export stays byte-identical); when events
for it arrive later, payroll books the difference in a later period, as
payroll systems do.  ``corrections`` recomputes a closed month from the
store with the policy and roster it was closed with (so only the data has
moved) and compares each agent's amount with the frozen one, minus what
later closes already carried for that month.  ``carried_lines`` is what the
close of a month books: the corrections of the closed months up to
``payroll.adjustment_lookback_months`` back.
"""

from __future__ import annotations

import json
from decimal import Decimal

from pipeline.payroll.audit import current_close_ms
from pipeline.payroll.closing import ClosedMonth, find_closed
from pipeline.payroll.inputs import parse_inputs
from pipeline.payroll.model import AdjustmentLine, Month
from pipeline.payroll.policy import parse_policy
from pipeline.payroll.rollup import monthly_rollup
from pipeline.payroll.roster import parse_roster
from pipeline.payroll.sheet import build_rows
from pipeline.settings import Settings
from pipeline.store import payroll_tables as tables
from pipeline.store.store import Store


def _now_rows(store: Store, closed: ClosedMonth, settings: Settings) -> dict[str, dict[str, object]]:
    """The closed month's rows as the store gives them today, with its own policy, roster and zone."""
    policy = parse_policy(closed.policy_text, f"policy of the {closed.month} close")
    roster = parse_roster(closed.roster_text, f"roster of the {closed.month} close",
                          closed.meta.get("roster_format", "csv"))
    text = closed.meta.get("inputs_text", "")
    inputs = parse_inputs(text, f"supervisor inputs of the {closed.month} close", roster, policy) if text else {}
    month = Month.parse(closed.month)
    rollup = monthly_rollup(store, month, settings.model_copy(update={"tz": closed.tz}), roster)
    groups = {group: parse_policy(text, f"seat group {group} policy of the {closed.month} close")
              for group, text in closed.meta.get("seat_policies", {}).items()}
    return {row["agent_id"]: row for row in build_rows(rollup, roster, policy, (), inputs, groups)}


def booked(payroll: Store, for_month: str, before: str | None) -> dict[str, Decimal]:
    """Corrections of ``for_month`` already carried by closes in force of months before ``before``."""
    in_force: dict[str, int | None] = {}
    out: dict[str, Decimal] = {}
    for month, closed_ms, text in tables.adjustment_lines_for(payroll, for_month):
        if before is not None and month >= before:
            continue
        if month not in in_force:
            in_force[month] = current_close_ms(payroll, month)
        if in_force[month] != closed_ms:
            continue  # a reopened or superseded close carries nothing
        line = json.loads(text)
        out[line["agent_id"]] = out.get(line["agent_id"], Decimal(0)) + Decimal(line["amount"])
    return out


def corrections(store: Store, payroll: Store, closed: ClosedMonth, settings: Settings,
                before: str | None = None) -> list[AdjustmentLine]:
    """Per agent whose amount moved: frozen, now, already booked and the amount still to carry."""
    now_rows = _now_rows(store, closed, settings)
    frozen_rows = {row["agent_id"]: row for row in closed.rows}
    already = booked(payroll, closed.month, before)
    lines = []
    for agent in sorted(set(frozen_rows) | set(now_rows)):
        frozen_row, now_row = frozen_rows.get(agent, {}), now_rows.get(agent, {})
        frozen = Decimal(str(frozen_row.get("amount", "0.00")))
        now = Decimal(str(now_row.get("amount", "0.00")))
        done = already.get(agent, Decimal("0.00"))
        amount = now - frozen - done
        if amount == 0 and now == frozen:
            continue
        lines.append(AdjustmentLine(agent, closed.month, str(frozen), str(now), str(done), str(amount),
                                    _reason(closed.month, frozen_row, now_row, frozen, now)))
    return lines


def _reason(month: str, frozen_row: dict[str, object], now_row: dict[str, object], frozen: Decimal,
            now: Decimal) -> str:
    text = f"correction for {month} (events after its close): {frozen} -> {now}"
    if frozen_row.get("tier") != now_row.get("tier"):
        text += f", tier {frozen_row.get('tier', '-')} -> {now_row.get('tier', '-')}"
    return text


def carried_lines(store: Store, payroll: Store, month: Month, settings: Settings) -> list[AdjustmentLine]:
    """The lines closing ``month`` books: still-unbooked corrections of earlier closed months."""
    lines: list[AdjustmentLine] = []
    for back in range(settings.payroll.adjustment_lookback_months, 0, -1):
        closed = find_closed(payroll, month.minus(back))
        if closed is not None:
            lines += [line for line in corrections(store, payroll, closed, settings, before=str(month))
                      if Decimal(line.amount) != 0]
    return lines
