"""Rollup + policy -> scorecard: score per KPI, tier, amount, deductions with reasons.

Pure: no store, no clock.  Money is ``Decimal`` and rounded once, at the end,
by the policy's rounding rule, so an amount is exact and the same on every
machine.  Every cut of the bonus carries a reason a payroll clerk can read.

Definitions (documented here because payroll pays by them):
- business errors: the QA error counts the policy names (``qa.business_errors``;
  the example: fatal errors = business/tariff errors), per QA source;
- fraud orders: no event carries them; the supervisor inputs' ``fraud_orders``
  when given, else the roster's ``fraud_orders`` column (0 when absent);
- hours: logged-in time from agent states over the month in the centre's zone;
- hire rule: hired after ``hire.last_hire_day`` of the month (the 11th or later
  with the example) -> no quality bonus; hired on the day itself still gets it;
- an agent not in the roster is scored but paid 0 (no hire date to check).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.payroll.card100 import card100_points
from pipeline.payroll.model import AgentInputs, AgentRollup, Month
from pipeline.payroll.policy import Policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.team_figures import TEAM_NAMES
from pipeline.payroll.rules.expressions import Number, evaluate
from pipeline.payroll.rules.eligibility import joined_too_late, short_blocks, worked_seconds
from pipeline.payroll.rules.point_lines import card_points
from pipeline.payroll.rules.quality_tiers import failures
from pipeline.payroll.rules.weighted_lines import card


@dataclass(frozen=True)
class ScoreCard:
    agent_id: str
    qa_avg_combined: float | None
    business_errors_internal: int
    business_errors_external: int
    fraud_orders: int
    card_scores: dict[str, Decimal]
    card_total: Decimal
    tier: str
    tier_amount: Decimal
    hours_deduction: Decimal
    amount: Decimal
    reasons: tuple[str, ...] = field(default=())
    business_errors_reported: int = 0
    card100: dict[str, Decimal] = field(default_factory=dict)
    inputs: AgentInputs | None = None
    point_card: dict[str, Decimal] = field(default_factory=dict)
    point_reasons: tuple[str, ...] = ()
    worked_hours: float | None = None  # when attendance inputs move them off the ACD logged-in hours


def qa_average(r: AgentRollup, policy: Policy) -> float | None:
    """Combined QA average: the mean of the two source averages (or of all evaluations)."""
    sources = [(r.qa_internal_avg, r.qa_internal_evaluations), (r.qa_external_avg, r.qa_external_evaluations)]
    present = [(avg, n) for avg, n in sources if n and avg is not None]
    if not present:
        return None
    if policy.qa.average == "all_evaluations":
        return sum(avg * n for avg, n in present) / sum(n for _, n in present)
    if len(present) < 2 and policy.qa.missing_source == "no_bonus":
        return None
    return sum(avg for avg, _ in present) / len(present)


def business_errors(fatal: int, nonfatal: int, policy: Policy, recorded: int = 0) -> int:
    """The side's business errors by the policy's ``qa.business_errors`` (``recorded``: the evaluations' own)."""
    rule = policy.qa.business_errors
    return {"fatal_errors": fatal, "nonfatal_errors": nonfatal, "all_errors": fatal + nonfatal,
            "business_errors": recorded}[rule]


def named_values(r: AgentRollup, policy: Policy, qa_avg: float | None, given: AgentInputs,
                 team: Mapping[str, float | None] | None = None) -> dict[str, Number | None]:
    """What a policy expression may name: the rollup's figures, the agent's team's figures
    (``pipeline.payroll.team_figures``), the declared inputs (a count or flag not given is 0, a score or
    amount not given has no value) and the policy's KPIs."""
    values: dict[str, Number | None] = {k: v for k, v in r.as_json().items() if k != "agent_id"}
    values.update({name: (team or {}).get(name) for name in TEAM_NAMES})
    values.update(handled_total=r.handled_total, hours=r.hours, output_vs_team=r.output_vs_team,
                  qa_avg_combined=qa_avg)
    for spec in policy.inputs:
        default = Decimal(0) if spec.kind in ("count", "flag") else None
        values[spec.name] = given.values.get(spec.name, default)
    for name, expression in policy.kpis.items():
        values[name] = evaluate(expression, values)
    return values


def score(r: AgentRollup, entry: RosterEntry | None, policy: Policy, month: Month,
          inputs: AgentInputs | None = None, team: Mapping[str, float | None] | None = None) -> ScoreCard:
    qa_avg = qa_average(r, policy)
    internal = business_errors(r.qa_internal_fatal, r.qa_internal_nonfatal, policy, r.qa_internal_business)
    external = business_errors(r.qa_external_fatal, r.qa_external_nonfatal, policy, r.qa_external_business)
    given = inputs or AgentInputs(r.agent_id)
    all_business_errors = internal + external + given.business_errors
    fraud = given.fraud_orders if given.fraud_orders is not None else entry.fraud_orders if entry else 0
    complaints = r.complaints_valid
    reasons: list[str] = []

    tier = policy.tiers[-1]
    for candidate in policy.tiers:
        failed = (failures("internal", candidate.internal, qa_avg, internal, fraud + r.qa_internal_fraud,
                            complaints, r.qa_internal_tariff)
                  + failures("external", candidate.external, qa_avg, external, fraud + r.qa_external_fraud,
                              complaints, r.qa_external_tariff))
        if not failed:
            tier = candidate
            break
        reasons.append(f"not {candidate.name}: {', '.join(dict.fromkeys(failed))}")
    reasons = reasons[-1:]  # only why the next better tier was missed

    amount = tier.amount
    deduction = Decimal(0)
    hours = policy.hours
    worked_s, worked_why = worked_seconds(hours, r.logged_in_s, given.values)
    worked_h = worked_s / 3600
    if worked_why:
        reasons.append(worked_why)
    if not policy.pays_tiers:
        pass  # a points or card policy pays no quality bonus: no hire-day or hours rule to apply
    elif entry is None:
        reasons.append("not in the roster: no bonus until the agent is added")
        amount = Decimal(0)
    elif joined_too_late(entry, month, policy.hire.last_hire_day):
        reasons.append(f"hired {entry.hire_date}, after day {policy.hire.last_hire_day}: no quality bonus")
        amount = Decimal(0)
    elif worked_s < hours.minimum * 3600:
        reasons.append(f"worked {worked_h:.2f} h < {hours.minimum:g} h minimum: no quality bonus")
        amount = Decimal(0)
    elif worked_s < hours.required * 3600 and amount > 0:
        blocks = short_blocks(worked_s, hours.required, hours.short_block)
        if blocks:
            deduction = min(amount, blocks * hours.deduction_per_block)
            reasons.append(f"worked {worked_h:.2f} h, {hours.required - worked_h:.2f} h short of "
                           f"{hours.required:g} h: "
                           f"{blocks} x {hours.short_block:g} h x {hours.deduction_per_block} = -{deduction}")
            amount -= deduction
    rounding = policy.rounding
    card_scores = card(r, policy.card, qa_avg, given, all_business_errors)
    card100 = card100_points(policy.card100, r, given, all_business_errors) if policy.card100 else {}
    point_card, point_reasons = ({}, []) if policy.point_card is None else \
        card_points(policy.point_card, named_values(r, policy, qa_avg, given, team))
    return ScoreCard(
        agent_id=r.agent_id, qa_avg_combined=qa_avg, business_errors_internal=internal,
        business_errors_external=external, fraud_orders=fraud + r.qa_internal_fraud + r.qa_external_fraud,
        card_scores=card_scores,
        card_total=sum(card_scores.values(), Decimal(0)), tier=tier.name,
        tier_amount=rounding.money(tier.amount), hours_deduction=rounding.money(deduction),
        amount=rounding.money(amount), reasons=tuple(reasons), business_errors_reported=given.business_errors,
        card100=card100, inputs=inputs, point_card=point_card, point_reasons=tuple(point_reasons),
        worked_hours=worked_h if worked_why else None,
    )
