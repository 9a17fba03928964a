"""The store side of the points scheme: what ``points_scheme.points_rows`` needs for one month.

- the month's daily inputs in force and the previous month's (its days start
  the first ISO week; its total values the point);
- the department's answer rate: answered / offered of the month's report with
  no grouping (inbound voice and chat, every queue of the centre);
- carried in: the previous month's ``points_carried_out`` when it is closed
  (0 otherwise, as the ranking ledger does); earned before: the sum of
  ``points_earned`` over every month closed before this one (for the level).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from pipeline.payroll.audit import closed_months
from pipeline.payroll.closing import find_closed
from pipeline.payroll.inputs import Inputs, month_inputs
from pipeline.payroll.model import Month
from pipeline.payroll.points_scheme import DayRows, points_rows
from pipeline.payroll.policy import Policy
from pipeline.payroll.roster import Roster
from pipeline.store.store import Store


def answer_rate(figures: Mapping[str, Any]) -> float | None:
    offered = figures.get("offered") or 0
    return (figures.get("answered") or 0) / offered if offered else None


def _days(inputs: Inputs) -> DayRows:
    return {agent: given.days for agent, given in inputs.items() if given.days}


def month_points(payroll: Store | None, month: Month, roster: Roster, policy: Policy, inputs: Inputs,
                 figures: Mapping[str, Any], agents: Collection[str]) -> dict[str, dict[str, Any]]:
    """The scheme's row values per agent (every agent of ``agents`` and of the inputs)."""
    assert policy.points is not None
    previous: Inputs = {}
    carried: dict[str, str] = {}
    before: dict[str, Decimal] = defaultdict(Decimal)
    if payroll is not None:
        _, previous = month_inputs(payroll, month.minus(1), roster, policy)
        last = find_closed(payroll, month.minus(1))
        carried = {r["agent_id"]: r.get("points_carried_out") or "0" for r in last.rows} if last else {}
        for name in closed_months(payroll):
            closed = find_closed(payroll, name) if name < str(month) else None
            for row in closed.rows if closed else ():
                before[row["agent_id"]] += Decimal(str(row.get("points_earned") or 0))
    everyone = set(agents) | set(inputs)
    return points_rows(policy.points, month, _days(inputs), _days(previous), {"answer_rate": answer_rate(figures)},
                       everyone, carried, before)
