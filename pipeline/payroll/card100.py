"""The 100-point monthly card and the card KPIs fed by supervisor inputs (pure).

Definitions (choices documented here because payroll pays by them):
- CSAT line: the policy's KPI (default the satisfied share, ``csat_top2box``)
  meets the target -> all its points, else 0 (no survey answers: 0);
- resolution speed: points minus ``per_unit`` per whole hour over the time
  limit, as the supervisor counts it (input ``hours_over_limit``), never below 0;
- accuracy: points minus ``per_unit`` per business error, never below 0; business
  errors = the QA business errors of both sources (policy ``qa.business_errors``)
  plus the errors a supervisor reports outside QA (input ``business_errors``);
- compliance: points minus ``per_unit`` per breach (input), never below 0;
- workload: points x output vs team average / target, capped at the points,
  rounded to 0.01 half up (no team average: 0);
- attitude, teamwork: the supervisor's scores; not given: 0.
- business error rate = those business errors / contacts handled (none handled: None).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pipeline.payroll.model import AgentInputs, AgentRollup
from pipeline.payroll.policy import Card100

PARTS = ("csat", "speed", "accuracy", "compliance", "workload", "attitude", "teamwork")


def _less(points: Decimal, per_unit: Decimal, units: int) -> Decimal:
    return max(points - per_unit * units, Decimal(0))


def card100_points(card: Card100, r: AgentRollup, inputs: AgentInputs, business_errors: int) -> dict[str, Decimal]:
    """Points per part of the card (keys ``PARTS``); the total is their sum."""
    csat = getattr(r, card.csat.kpi)
    output = r.output_vs_team
    workload = Decimal(0)
    if output is not None:
        share = Decimal(repr(output)) / Decimal(repr(card.workload.target))
        workload = min(card.workload.points, (card.workload.points * share).quantize(Decimal("0.01"), ROUND_HALF_UP))
    return {
        "csat": card.csat.points if csat is not None and csat >= card.csat.target else Decimal(0),
        "speed": _less(card.speed.points, card.speed.per_unit, inputs.hours_over_limit),
        "accuracy": _less(card.accuracy.points, card.accuracy.per_unit, business_errors),
        "compliance": _less(card.compliance.points, card.compliance.per_unit, inputs.compliance_breaches),
        "workload": workload,
        "attitude": inputs.attitude if inputs.attitude is not None else Decimal(0),
        "teamwork": inputs.teamwork if inputs.teamwork is not None else Decimal(0),
    }
