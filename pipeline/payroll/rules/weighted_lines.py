"""The weighted card: each KPI line earns its whole weight when it meets its target, else 0 (no data: 0).

001's weighted assessment and the example scorecards are this shape.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.payroll.model import AgentInputs, AgentRollup

# Rollup figures a weighted-card KPI may name (all per agent and month).
CARD_KPIS = ("csat_avg", "csat_top2box", "nps", "resolution_rate", "fcr_rate", "qa_avg_combined",
             "transfer_rate", "aht_s", "acw_share", "asa_s", "complaint_rate", "occupancy", "output_vs_team",
             "nonfatal_accuracy", "fatal_error_share",
             # from supervisor inputs (``payroll inputs``): see pipeline/payroll/scorecard.py
             "callback_rate", "ticket_timeliness", "business_error_rate")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# card KPIs made from the supervisor inputs (the rest are rollup figures)
INPUT_KPIS = ("callback_rate", "ticket_timeliness", "business_error_rate")


def business_error_rate(r: AgentRollup, business_errors: int) -> float | None:
    return business_errors / r.handled_total if r.handled_total else None


def input_kpi(kpi: str, r: AgentRollup, inputs: AgentInputs, business_errors: int) -> float | None:
    """A card KPI that needs the supervisor inputs; None when it has no denominator."""
    if kpi == "business_error_rate":
        return business_error_rate(r, business_errors)
    value: float | None = getattr(inputs, kpi)
    return value


class CardKpi(_Strict):
    """One line of the weighted card: the KPI earns its full weight when it meets the target."""

    kpi: Literal[CARD_KPIS]  # type: ignore[valid-type]
    target: float
    comparison: Literal[">=", "<="] = ">="
    weight: Decimal = Field(gt=0, description="points (or per cent) this KPI is worth")


def card(r: AgentRollup, lines: tuple[CardKpi, ...], qa_avg: float | None, inputs: AgentInputs | None = None,
         business_errors_total: int = 0) -> dict[str, Decimal]:
    """Points per card KPI: its whole weight when the target is met, else 0 (no data: 0)."""
    given = inputs or AgentInputs(r.agent_id)
    scores = {}
    for line in lines:
        if line.kpi == "qa_avg_combined":
            value = qa_avg
        elif line.kpi in INPUT_KPIS:
            value = input_kpi(line.kpi, r, given, business_errors_total)
        else:
            value = getattr(r, line.kpi)
        met = value is not None and (value >= line.target if line.comparison == ">=" else value <= line.target)
        scores[line.kpi] = line.weight if met else Decimal(0)
    return scores
