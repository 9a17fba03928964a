"""The payroll sheet: one flat, JSON-able row per agent, and the month's totals.

These rows are what a closed month freezes and what every export writes, so
an export of a closed month never recomputes anything.  Values are plain JSON
(money as decimal strings, dates as ISO text) so they survive the payroll
table unchanged; ``COLUMNS`` says how each one is shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pipeline.i18n import label
from pipeline.payroll.card100 import PARTS as CARD100_PARTS
from pipeline.payroll.model import AdjustmentLine, AgentInputs, AgentRollup, Month
from pipeline.payroll.policy import Policy
from pipeline.payroll.rollup import NOT_IN_ROSTER_TEAM, MonthRollup
from pipeline.payroll.roster import Roster
from pipeline.payroll.rules.weighted_lines import business_error_rate
from pipeline.payroll.scorecard import ScoreCard, score
from pipeline.payroll.team_figures import team_figures

# kinds: text, date (ISO text, a date cell), int, float (2 decimals shown), rate (a fraction shown as %),
# duration (seconds, [h]:mm:ss), hours (one decimal), money (currency format), points.
# The clerk's columns come first: name, team, tier, amount, adjustment, payable, reasons.
# Headers are the ``payroll.col.<key>`` labels of pipeline/i18n (zh-CN, en).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "text"), ("team", "text"), ("tier", "text"), ("amount", "money"), ("adjustment", "money"),
    ("best_agent_bonus", "money"), ("payable", "money"), ("reasons", "text"),
    ("agent_id", "text"), ("hire_date", "date"), ("in_roster", "text"),
    ("handled_total", "int"), ("handled_voice", "int"), ("handled_chat", "int"), ("handled_outbound", "int"),
    ("output_vs_team", "rate"), ("aht_s", "duration"), ("acw_share", "rate"), ("asa_s", "duration"),
    ("fcr_rate", "rate"), ("resolution_rate", "rate"), ("transfer_rate", "rate"), ("csat_avg", "float"),
    ("csat_top2box", "rate"), ("csat_responses", "int"), ("nps", "float"),
    ("qa_internal_evaluations", "int"), ("qa_internal_avg", "float"), ("qa_external_evaluations", "int"),
    ("qa_external_avg", "float"), ("qa_avg_combined", "float"), ("fatal_error_share", "rate"),
    ("nonfatal_accuracy", "rate"), ("business_errors_internal", "int"), ("business_errors_external", "int"),
    ("fraud_orders", "int"), ("complaints_valid", "int"), ("complaints_escalated", "int"),
    ("complaint_rate", "rate"), ("hours", "hours"), ("occupancy", "rate"),
    # supervisor inputs (``payroll inputs``) and the card KPIs made from them
    ("attitude", "points"), ("teamwork", "points"), ("compliance_breaches", "int"),
    ("business_errors_reported", "int"), ("business_error_rate", "rate"), ("callbacks_due", "int"),
    ("callbacks_done", "int"), ("callback_rate", "rate"), ("tickets_due", "int"), ("tickets_in_time", "int"),
    ("ticket_timeliness", "rate"), ("hours_over_limit", "int"),
    ("card_total", "points"), ("tier_amount", "money"), ("hours_deduction", "money"),
)


def header(key: str, lang: str) -> str:
    """A column's label; a card score column is "Card: <KPI label>"."""
    if key.startswith("c100_"):
        return label(f"payroll.col.{key}", lang)
    if key.startswith("card_") and key != "card_total":
        kpi = key[len("card_"):]
        own = f"payroll.col.{kpi}"
        name = label(own, lang) if label(own, lang) != own else label(f"kpi.{kpi}", lang)
        return f"{label('payroll.col.card', lang)}: {name}"
    text = label(f"payroll.col.{key}", lang)
    return key if text == f"payroll.col.{key}" else text  # a policy's own point-card line: its key names it


RANKING_COLUMNS = (("points_day", "int"), ("points_week", "int"), ("points_month", "int"),
                   ("points_earned", "int"), ("points_carried_in", "points"), ("points_redeemable", "points"),
                   ("points_carried_out", "points"))


POINTS_COLUMNS = (("points_day", "int"), ("points_week", "int"), ("points_month", "int"),
                  ("points_units", "int"), ("points_penalty", "int"), ("points_earned", "int"), ("points_carried_in", "points"),
                  ("points_redeemable", "points"), ("points_carried_out", "points"), ("point_value", "money"),
                  ("points_cash", "money"), ("points_level", "text"))


def point_card_keys(policy: Policy) -> tuple[str, ...]:
    """The row keys of the policy's point card: one per line, then its total."""
    card = policy.point_card
    if card is None:
        return ()
    return tuple(f"{card.prefix}_{line.name}" for line in card.lines) + (f"{card.prefix}_total",)


def columns(policy_card: tuple[str, ...], lang: str = "en", card100: bool = False,
            ranking: bool = False, point_card: tuple[str, ...] = (),
            points: bool = False) -> list[tuple[str, str, str]]:
    """(key, header, kind) per column: one ``card_<kpi>`` score column per card line before the card total,
    the 100-point card's parts and total (or the point card's lines) after it, and the ranking points ledger
    (or the points scheme's), when the policy has them."""
    keys = [(key, kind) for key, kind in COLUMNS]
    if ranking:
        keys += list(RANKING_COLUMNS)
    if points:
        keys += list(POINTS_COLUMNS)
    at = [key for key, _ in keys].index("card_total")
    if card100:
        keys[at + 1:at + 1] = [(f"c100_{part}", "points") for part in CARD100_PARTS] + [("c100_total", "points")]
    if point_card:
        keys[at + 1:at + 1] = [(key, "points") for key in point_card]
    keys[at:at] = [(f"card_{kpi}", "points") for kpi in policy_card]
    return [(key, header(key, lang), kind) for key, kind in keys]


FLOAT_DIGITS = 6  # figures keep 6 decimals: CSV, XLSX (15 significant digits) and JSON then agree exactly


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, FLOAT_DIGITS)
    return str(value) if isinstance(value, Decimal) else value


def build_rows(rollup: MonthRollup, roster: Roster, policy: Policy,
               adjustments: Sequence[AdjustmentLine] = (),
               inputs: Mapping[str, AgentInputs] | None = None,
               seat_policies: Mapping[str, Policy] | None = None) -> list[dict[str, Any]]:
    """Score every agent of the month and flatten rollup + scorecard into one row each.

    An agent whose roster ``seat_group`` has a policy in ``seat_policies`` is
    scored by it (its row says which in ``policy``), every other by ``policy``.
    Carried corrections of earlier months add to the agent's ``adjustment``
    (``payable`` = amount + adjustment) with their reasons; an agent with a
    correction but nothing this month still gets a row.
    """
    carried: dict[str, list[AdjustmentLine]] = defaultdict(list)
    for line in adjustments:
        carried[line.agent_id].append(line)
    agents = list(rollup.agents)
    agents += [AgentRollup(agent_id=a) for a in sorted(set(carried) - {r.agent_id for r in agents})]
    rows = []
    teams = team_figures(rollup.agents, roster)
    for agent in agents:
        entry = roster.get(agent.agent_id)
        chosen = (seat_policies or {}).get(entry.seat_group, policy) if entry else policy
        card = score(agent, entry, chosen, rollup.month, (inputs or {}).get(agent.agent_id),
                     teams.get(entry.team) if entry else None)
        row = _row(agent, card, entry.name if entry else "", entry.team if entry else NOT_IN_ROSTER_TEAM,
                   entry.hire_date.isoformat() if entry else "", entry is not None)
        lines = carried.get(agent.agent_id, [])
        adjustment = sum((Decimal(line.amount) for line in lines), Decimal(0))
        row["adjustment"] = _plain(policy.rounding.money(adjustment))
        row["best_agent_bonus"] = _plain(policy.rounding.money(Decimal(0)))  # pipeline.payroll.department
        row["payable"] = _plain(policy.rounding.money(Decimal(row["amount"]) + adjustment))
        reasons = [row["reasons"]] if row["reasons"] else []
        row["reasons"] = "; ".join(reasons + [f"{line.reason}: {line.amount}" for line in lines])
        if seat_policies:
            row.update(seat_group=entry.seat_group if entry else "", policy=chosen.name)
        rows.append(row)
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
    given = card.inputs or AgentInputs(agent.agent_id)
    errors = card.business_errors_internal + card.business_errors_external + card.business_errors_reported
    row.update({
        "attitude": given.attitude, "teamwork": given.teamwork, "compliance_breaches": given.compliance_breaches,
        "business_errors_reported": card.business_errors_reported,
        "business_error_rate": business_error_rate(agent, errors), "callbacks_due": given.callbacks_due,
        "callbacks_done": given.callbacks_done, "callback_rate": given.callback_rate,
        "tickets_due": given.tickets_due, "tickets_in_time": given.tickets_in_time,
        "ticket_timeliness": given.ticket_timeliness, "hours_over_limit": given.hours_over_limit,
    })
    if card.card100:
        row.update({f"c100_{part}": points for part, points in card.card100.items()})
        row["c100_total"] = sum(card.card100.values(), Decimal(0))
    if card.worked_hours is not None:
        row["worked_hours"] = card.worked_hours
    if card.point_card:
        row.update(card.point_card)
        row["card_reasons"] = list(card.point_reasons)
    return {key: _plain(value) for key, value in row.items()}


def totals(rows: list[dict[str, Any]], month: Month | str,
           department: Mapping[str, Any] | None = None) -> list[tuple[str, Any]]:
    """The month's totals (keys of ``payroll.total.*``; ``tier:<name>`` counts a tier's agents).

    Money totals are decimal strings summed as ``Decimal``: exact to the cent.
    """
    def money(key: str) -> str:
        # rows frozen before adjustments existed have no adjustment (0) and pay their amount
        fallback = {"payable": lambda r: r["amount"]}.get(key, lambda r: "0")
        return str(sum((Decimal(r.get(key) or fallback(r)) for r in rows), Decimal("0.00")))

    tiers = Counter(row["tier"] for row in rows)
    out: list[tuple[str, Any]] = [
        ("month", str(month)),
        ("agents", len(rows)),
        ("agents_not_in_roster", sum(1 for r in rows if r["in_roster"] != "yes")),
        ("handled", sum(int(r["handled_total"]) for r in rows)),
        ("worked_hours", round(sum(float(r["hours"]) for r in rows), 2)),
        ("bonus_total", money("amount")),
        ("adjustments_total", money("adjustment")),
        ("payable_total", money("payable")),
        ("hours_deductions_total", money("hours_deduction")),
    ]
    out += [(f"tier:{tier}", count) for tier, count in sorted(tiers.items())]
    if department:
        out += [("salary_total", department["salary_total"]), ("best_agent_bonus_total", money("best_agent_bonus")),
                ("best_agent", ", ".join(department["best_agents"]) or "-"),
                ("department_bonus_total", department["bonus"]),
                ("department_targets", "; ".join(department["failures"]) or "met")]
    return out


def total_label(key: str, lang: str) -> str:
    """The label of a ``totals`` key in ``lang``."""
    if key.startswith("tier:"):
        return f"{label('payroll.total.tier', lang)} {key[len('tier:'):]}"
    return label(f"payroll.total.{key}", lang)
