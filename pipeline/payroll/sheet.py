"""The payroll sheet: one flat, JSON-able row per agent, and the month's totals.

These rows are what a closed month freezes and what every export writes, so
an export of a closed month never recomputes anything.  Values are plain JSON
(money as decimal strings, dates as ISO text) so they survive the payroll
table unchanged; ``COLUMNS`` says how each one is shown.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from pipeline.payroll.model import AgentRollup, Month
from pipeline.payroll.policy import Policy
from pipeline.payroll.rollup import NOT_IN_ROSTER_TEAM, MonthRollup
from pipeline.payroll.roster import Roster
from pipeline.payroll.scorecard import ScoreCard, score

# kinds: text, int, float (2 decimals shown), rate (a fraction shown as %), hours, money, points
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("agent_id", "Agent", "text"),
    ("name", "Name", "text"),
    ("team", "Team", "text"),
    ("hire_date", "Hire date", "text"),
    ("in_roster", "In roster", "text"),
    ("handled_total", "Handled", "int"),
    ("handled_voice", "Handled voice (in)", "int"),
    ("handled_chat", "Handled chat (in)", "int"),
    ("handled_outbound", "Handled outbound", "int"),
    ("output_vs_team", "Output vs team avg", "rate"),
    ("aht_s", "AHT (s)", "float"),
    ("acw_share", "ACW share", "rate"),
    ("asa_s", "ASA (s)", "float"),
    ("fcr_rate", "FCR", "rate"),
    ("resolution_rate", "Resolution rate", "rate"),
    ("transfer_rate", "Transfer rate", "rate"),
    ("csat_avg", "CSAT avg", "float"),
    ("csat_top2box", "CSAT top-2-box", "rate"),
    ("csat_responses", "CSAT responses", "int"),
    ("nps", "NPS", "float"),
    ("qa_internal_evaluations", "QA internal n", "int"),
    ("qa_internal_avg", "QA internal avg", "float"),
    ("qa_external_evaluations", "QA external n", "int"),
    ("qa_external_avg", "QA external avg", "float"),
    ("qa_avg_combined", "QA avg (policy)", "float"),
    ("fatal_error_share", "Fatal-error share", "rate"),
    ("nonfatal_accuracy", "Non-fatal accuracy", "rate"),
    ("business_errors_internal", "Business errors internal", "int"),
    ("business_errors_external", "Business errors external", "int"),
    ("fraud_orders", "Fraud orders", "int"),
    ("complaints_valid", "Valid complaints", "int"),
    ("complaints_escalated", "Escalated complaints", "int"),
    ("complaint_rate", "Complaint rate", "rate"),
    ("hours", "Worked hours", "hours"),
    ("occupancy", "Occupancy", "rate"),
    ("card_total", "Card score", "points"),
    ("tier", "Tier", "text"),
    ("tier_amount", "Tier amount", "money"),
    ("hours_deduction", "Hours deduction", "money"),
    ("amount", "Bonus", "money"),
    ("reasons", "Reasons", "text"),
)


def columns(policy_card: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The sheet's columns with one ``card_<kpi>`` score column per card line, before the card total."""
    at = [key for key, _, _ in COLUMNS].index("card_total")
    card = [(f"card_{kpi}", f"Card {kpi}", "points") for kpi in policy_card]
    return list(COLUMNS[:at]) + card + list(COLUMNS[at:])


FLOAT_DIGITS = 6  # figures keep 6 decimals: CSV, XLSX (15 significant digits) and JSON then agree exactly


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS)
    return str(value) if isinstance(value, Decimal) else value


def build_rows(rollup: MonthRollup, roster: Roster, policy: Policy) -> list[dict[str, Any]]:
    """Score every agent of the month and flatten rollup + scorecard into one row each."""
    rows = []
    for agent in rollup.agents:
        entry = roster.get(agent.agent_id)
        card = score(agent, entry, policy, rollup.month)
        rows.append(_row(agent, card, entry.name if entry else "", entry.team if entry else NOT_IN_ROSTER_TEAM,
                         entry.hire_date.isoformat() if entry else "", entry is not None))
    return rows


def _row(agent: AgentRollup, card: ScoreCard, name: str, team: str, hired: str, known: bool) -> dict[str, Any]:
    figures = agent.as_json()
    row: dict[str, Any] = {"agent_id": agent.agent_id, "name": name, "team": team, "hire_date": hired,
                           "in_roster": "yes" if known else "NO"}
    for key in ("handled_total", "output_vs_team", "hours"):
        row[key] = getattr(agent, key)
    for key, value in figures.items():
        row.setdefault(key, value)
    row.update({
        "qa_avg_combined": card.qa_avg_combined,
        "business_errors_internal": card.business_errors_internal,
        "business_errors_external": card.business_errors_external,
        "fraud_orders": card.fraud_orders,
        **{f"card_{kpi}": _plain(points) for kpi, points in card.card_scores.items()},
        "card_total": _plain(card.card_total), "tier": card.tier, "tier_amount": _plain(card.tier_amount),
        "hours_deduction": _plain(card.hours_deduction), "amount": _plain(card.amount),
        "reasons": "; ".join(card.reasons),
    })
    return {key: _plain(value) for key, value in row.items()}


def totals(rows: list[dict[str, Any]], month: Month | str) -> list[tuple[str, Any]]:
    """The month's totals for the second sheet: agents, contacts, hours, money, agents per tier."""
    tiers = Counter(row["tier"] for row in rows)
    out: list[tuple[str, Any]] = [
        ("month", str(month)),
        ("agents", len(rows)),
        ("agents not in roster", sum(1 for r in rows if r["in_roster"] != "yes")),
        ("handled", sum(int(r["handled_total"]) for r in rows)),
        ("worked hours", round(sum(float(r["hours"]) for r in rows), 2)),
        ("bonus total", str(sum((Decimal(r["amount"]) for r in rows), Decimal(0)))),
        ("hours deductions total", str(sum((Decimal(r["hours_deduction"]) for r in rows), Decimal(0)))),
    ]
    out += [(f"agents in tier {tier}", count) for tier, count in sorted(tiers.items())]
    return out
