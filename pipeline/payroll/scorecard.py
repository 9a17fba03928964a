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

from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.payroll.card100 import INPUT_KPIS, card100_points, input_kpi
from pipeline.payroll.model import AgentInputs, AgentRollup, Month
from pipeline.payroll.policy import Conditions, Policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.rules.expressions import Number, evaluate
from pipeline.payroll.rules.point_lines import card_points


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


def _failures(side: str, c: Conditions, qa_avg: float | None, errors: int, fraud: int,
              complaints: int, tariff: int = 0) -> list[str]:
    """Which conditions of one side fail, in words."""
    failed = []
    if c.qa_avg_min is not None and (qa_avg is None or qa_avg < c.qa_avg_min):
        shown = "none" if qa_avg is None else f"{qa_avg:.2f}"
        failed.append(f"QA avg {shown} < {c.qa_avg_min:g}")
    if c.max_business_errors is not None and errors > c.max_business_errors:
        failed.append(f"{side} business errors {errors} > {c.max_business_errors}")
    if c.max_tariff_errors is not None and tariff > c.max_tariff_errors:
        failed.append(f"{side} tariff errors {tariff} > {c.max_tariff_errors}")
    if c.max_errors is not None and errors + fraud + tariff > c.max_errors:
        shown = f"fraud {fraud} + business {errors}" + (f" + tariff {tariff}" if tariff else "")
        failed.append(f"{side} errors ({shown}) {errors + fraud + tariff} > {c.max_errors}")
    if c.max_fraud_orders is not None and fraud > c.max_fraud_orders:
        failed.append(f"fraud orders {fraud} > {c.max_fraud_orders}")
    if c.max_valid_complaints is not None and complaints > c.max_valid_complaints:
        failed.append(f"valid complaints {complaints} > {c.max_valid_complaints}")
    return failed


def _joined_too_late(entry: RosterEntry, month: Month, last_day: int) -> bool:
    """Hired after ``last_day`` of this month (or after the month): no quality bonus this month."""
    if entry.hire_date > month.last:
        return True
    return entry.hire_date >= month.first and entry.hire_date.day > last_day


def _short_blocks(logged_in_s: float, required_h: float, block_h: float) -> int:
    """Full blocks short, in Decimal seconds so 168 h is exactly one 8 h block under 176 h."""
    short = Decimal(repr(required_h)) * 3600 - Decimal(repr(logged_in_s))
    return max(int(short // (Decimal(repr(block_h)) * 3600)), 0)


def card(r: AgentRollup, policy: Policy, qa_avg: float | None, inputs: AgentInputs | None = None,
         business_errors_total: int = 0) -> dict[str, Decimal]:
    """Points per card KPI: its whole weight when the target is met, else 0 (no data: 0)."""
    given = inputs or AgentInputs(r.agent_id)
    scores = {}
    for line in policy.card:
        if line.kpi == "qa_avg_combined":
            value = qa_avg
        elif line.kpi in INPUT_KPIS:
            value = input_kpi(line.kpi, r, given, business_errors_total)
        else:
            value = getattr(r, line.kpi)
        met = value is not None and (value >= line.target if line.comparison == ">=" else value <= line.target)
        scores[line.kpi] = line.weight if met else Decimal(0)
    return scores


def named_values(r: AgentRollup, policy: Policy, qa_avg: float | None,
                 given: AgentInputs) -> dict[str, Number | None]:
    """What a policy expression may name: the rollup's figures, the declared inputs (a count or flag not
    given is 0, a score or amount not given has no value) and the policy's KPIs."""
    values: dict[str, Number | None] = {k: v for k, v in r.as_json().items() if k != "agent_id"}
    values.update(handled_total=r.handled_total, hours=r.hours, output_vs_team=r.output_vs_team,
                  qa_avg_combined=qa_avg)
    for spec in policy.inputs:
        default = Decimal(0) if spec.kind in ("count", "flag") else None
        values[spec.name] = given.values.get(spec.name, default)
    for name, expression in policy.kpis.items():
        values[name] = evaluate(expression, values)
    return values


def score(r: AgentRollup, entry: RosterEntry | None, policy: Policy, month: Month,
          inputs: AgentInputs | None = None) -> ScoreCard:
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
        failed = (_failures("internal", candidate.internal, qa_avg, internal, fraud + r.qa_internal_fraud,
                            complaints, r.qa_internal_tariff)
                  + _failures("external", candidate.external, qa_avg, external, fraud + r.qa_external_fraud,
                              complaints, r.qa_external_tariff))
        if not failed:
            tier = candidate
            break
        reasons.append(f"not {candidate.name}: {', '.join(dict.fromkeys(failed))}")
    reasons = reasons[-1:]  # only why the next better tier was missed

    amount = tier.amount
    deduction = Decimal(0)
    hours = policy.hours
    if entry is None:
        reasons.append("not in the roster: no bonus until the agent is added")
        amount = Decimal(0)
    elif _joined_too_late(entry, month, policy.hire.last_hire_day):
        reasons.append(f"hired {entry.hire_date}, after day {policy.hire.last_hire_day}: no quality bonus")
        amount = Decimal(0)
    elif r.logged_in_s < hours.minimum * 3600:
        reasons.append(f"worked {r.hours:.2f} h < {hours.minimum:g} h minimum: no quality bonus")
        amount = Decimal(0)
    elif r.logged_in_s < hours.required * 3600 and amount > 0:
        blocks = _short_blocks(r.logged_in_s, hours.required, hours.short_block)
        if blocks:
            deduction = min(amount, blocks * hours.deduction_per_block)
            reasons.append(f"worked {r.hours:.2f} h, {hours.required - r.hours:.2f} h short of {hours.required:g} h: "
                           f"{blocks} x {hours.short_block:g} h x {hours.deduction_per_block} = -{deduction}")
            amount -= deduction
    rounding = policy.rounding
    card_scores = card(r, policy, qa_avg, given, all_business_errors)
    card100 = card100_points(policy.card100, r, given, all_business_errors) if policy.card100 else {}
    point_card, point_reasons = ({}, []) if policy.point_card is None else \
        card_points(policy.point_card, named_values(r, policy, qa_avg, given))
    return ScoreCard(
        agent_id=r.agent_id, qa_avg_combined=qa_avg, business_errors_internal=internal,
        business_errors_external=external, fraud_orders=fraud + r.qa_internal_fraud + r.qa_external_fraud,
        card_scores=card_scores,
        card_total=sum(card_scores.values(), Decimal(0)), tier=tier.name,
        tier_amount=rounding.money(tier.amount), hours_deduction=rounding.money(deduction),
        amount=rounding.money(amount), reasons=tuple(reasons), business_errors_reported=given.business_errors,
        card100=card100, inputs=inputs, point_card=point_card, point_reasons=tuple(point_reasons),
    )
