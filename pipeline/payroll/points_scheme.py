"""003's points scheme (客服积分制度) from daily inputs: day, week and month points, penalties, the ledger.

Pure: the caller gives the daily inputs of this month and the month before,
the department's answer rate, what the last closed month carried out and the
points earned in closed months before.  Readings of the text (docs/payroll.md):
- an agent is on duty on a day that has an inputs row for them;
- day: places on each ``day.rank_by`` value among the on-duty agents; an
  agent whose ``min_rate`` (success rate) is below its line, or has no value
  (no orders), earns no positive day points but keeps its place (places are
  not passed down); with the department's answer rate at or above
  ``participation.at_least`` every on-duty agent without an earning place
  earns ``participation.points`` (same rate rule);
- week: the ISO weeks (Monday..Sunday) whose Sunday is in the month, ranked on
  the sums of the seven days (days of the month before from its inputs) over
  the agents with a row in the week; a week ending in the next month earns in
  that month;
- month: ranked on ``month.rank_by`` over the sums of the month's own days;
- penalties: ``penalties[input]`` points per unit, every day whatever the rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.payroll.model import Month
from pipeline.payroll.rules.expressions import evaluate
from pipeline.payroll.rules.points_ledger import LedgerRules, ledger_row, point_value
from pipeline.payroll.rules.rank_points import PeriodPoints, place_points, places, without_last

DayRows = Mapping[str, Mapping[date, Mapping[str, Decimal]]]  # agent -> local day -> input -> value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateLine(_Strict):
    rate: str = Field(description="expression, e.g. orders_success / orders_total")
    at_least: float = Field(description="below it (or without a value): no positive day points")


class Participation(_Strict):
    """On-duty agents without an earning place earn ``points``, when the department's KPI reaches
    ``at_least`` (``department_kpi`` None: always, as 餐饮商务中心's "其他的积1分")."""

    points: int = Field(default=1, ge=0)
    department_kpi: Literal["answer_rate"] | None = Field(
        default="answer_rate", description="answer_rate: answered / offered of the whole centre")
    at_least: float = 0.95


class DayPoints(PeriodPoints):
    min_rate: RateLine | None = None
    participation: Participation | None = None


class PointsScheme(_Strict):
    day: DayPoints
    week: PeriodPoints | None = None
    month: PeriodPoints | None = None
    penalties: dict[str, int] = Field(default_factory=dict, description="input -> points deducted per unit")
    per_unit: dict[str, int] = Field(default_factory=dict, description="input -> points earned per unit")
    top_bonus: int = Field(default=0, ge=0, description="the month's highest earner(s) earn this more")
    ledger: LedgerRules = LedgerRules()

    @property
    def expressions(self) -> tuple[str, ...]:
        periods = [p for p in (self.day, self.week, self.month) if p is not None]
        rates = [self.day.min_rate.rate] if self.day.min_rate else []
        return tuple(e for p in periods for e in p.rank_by) + tuple(rates) + tuple(self.penalties) + \
            tuple(self.per_unit)


@dataclass
class AgentPoints:
    day: int = 0
    week: int = 0
    month: int = 0
    units: int = 0
    penalty: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def earned(self) -> int:
        return self.day + self.week + self.month + self.units - self.penalty


def _sums(days: DayRows, agent: str, wanted: Collection[date]) -> dict[str, Decimal] | None:
    """The agent's inputs summed over ``wanted`` days; None when no day has a row."""
    rows = [values for day, values in days.get(agent, {}).items() if day in wanted]
    if not rows:
        return None
    out: dict[str, Decimal] = defaultdict(Decimal)
    for values in rows:
        for name, value in values.items():
            out[name] += value
    return dict(out)


def _ranked(period: PeriodPoints, kind: str, label: str, values: Mapping[str, Mapping[str, Decimal]],
            points: dict[str, AgentPoints], allowed: Collection[str] | None = None) -> set[str]:
    """Award one period's place points; the agents holding an earning place (whatever they were paid)."""
    ranks = [places({a: evaluate(expr, v) for a, v in values.items()}) for expr in period.rank_by]
    if period.last_earns_nothing:
        ranks = [without_last(ranked) for ranked in ranks]
    held = place_points(ranks, period.places, period.both_bonus)
    for agent, (earned, where) in held.items():
        shown = ", ".join(f"{period.rank_by[i]} place {place}" for i, place in where)
        if allowed is not None and agent not in allowed:
            points[agent].reasons.append(f"{label}: {shown}: 0 (rate rule; the place is kept)")
            continue
        setattr(points[agent], kind, getattr(points[agent], kind) + earned)
        points[agent].reasons.append(f"{label}: {shown}: +{earned}")
    return set(held)


def sundays(month: Month) -> list[date]:
    first = month.first
    day = first + timedelta(days=(6 - first.weekday()) % 7)
    out = []
    while day <= month.last:
        out.append(day)
        day += timedelta(days=7)
    return out


def earned_points(scheme: PointsScheme, month: Month, days: DayRows, previous: DayRows,
                  department: Mapping[str, float | None], agents: Collection[str]) -> dict[str, AgentPoints]:
    """Day, week, month and penalty points per agent of ``agents`` and of the inputs (each gets an entry)."""
    points: dict[str, AgentPoints] = defaultdict(AgentPoints)
    for agent in agents:
        points[agent] = AgentPoints()
    on_days = sorted({d for agent in days for d in days[agent]})
    for day in on_days:
        duty = {a: dict(rows[day]) for a, rows in days.items() if day in rows}
        rule, allowed = scheme.day.min_rate, set(duty)
        if rule is not None:
            for agent, values in duty.items():
                rate = evaluate(rule.rate, values)
                if rate is None or rate < rule.at_least:
                    allowed.discard(agent)
                    shown = "none" if rate is None else f"{rate:.4g}"
                    points[agent].reasons.append(f"day {day}: {rule.rate} {shown} < {rule.at_least:g}: "
                                                 f"no positive points")
        placed = _ranked(scheme.day, "day", f"day {day}", duty, points, allowed)
        _participation(scheme.day.participation, department, day, allowed - placed, points)
        for agent, values in duty.items():
            for name, per in scheme.penalties.items():
                units = int(values.get(name, 0))
                if units:
                    points[agent].penalty += units * per
                    points[agent].reasons.append(f"day {day}: {name} {units} x {per} = -{units * per}")
            for name, per in scheme.per_unit.items():
                units = int(values.get(name, 0))
                if units:
                    points[agent].units += units * per
                    points[agent].reasons.append(f"day {day}: {name} {units} x {per} = +{units * per}")
    if scheme.week is not None:
        merged = {a: {**previous.get(a, {}), **days.get(a, {})} for a in set(days) | set(previous)}
        for sunday in sundays(month):
            week = {sunday - timedelta(days=n) for n in range(7)}
            sums = {a: s for a in merged if (s := _sums(merged, a, week)) is not None and a in points}
            iso = sunday.isocalendar()
            _ranked(scheme.week, "week", f"week {iso.year}-W{iso.week:02d}", sums, points)
    if scheme.month is not None:
        own = {d for d in on_days if month.first <= d <= month.last}
        sums = {a: s for a in days if (s := _sums(days, a, own)) is not None}
        _ranked(scheme.month, "month", f"month {month}", sums, points)
    if scheme.top_bonus and points:
        best = max(p.earned for p in points.values())
        for agent, got in points.items():
            if got.earned == best and best > 0:
                got.month += scheme.top_bonus
                got.reasons.append(f"month {month}: the most points ({best}): +{scheme.top_bonus}")
    return dict(points)


def _participation(rule: Participation | None, department: Mapping[str, float | None], day: date,
                   agents: Collection[str], points: dict[str, AgentPoints]) -> None:
    """The participation point of one day for ``agents`` (on duty, unplaced, not under the rate line)."""
    if rule is None:
        return
    if rule.department_kpi is None:
        why = "not placed"
    else:
        rate = department.get(rule.department_kpi)
        if rate is None or rate < rule.at_least:
            return
        why = f"department {rule.department_kpi} {rate:.4f} >= {rule.at_least:g}, not placed"
    for agent in sorted(agents):
        points[agent].day += rule.points
        points[agent].reasons.append(f"day {day}: {why}: +{rule.points}")


def _total(days: DayRows, name: str | None) -> Decimal:
    if name is None:
        return Decimal(0)
    return sum((values.get(name, Decimal(0)) for rows in days.values() for values in rows.values()), Decimal(0))


def points_rows(scheme: PointsScheme, month: Month, days: DayRows, previous: DayRows,
                department: Mapping[str, float | None], agents: Collection[str], carried_in: Mapping[str, str],
                earned_before: Mapping[str, Decimal]) -> dict[str, dict[str, object]]:
    """The rollup row values of the scheme per agent (``points_*``, ``point_value``, ``points_reasons``)."""
    rules = scheme.ledger
    value = point_value(rules, _total(days, rules.value_ratio_of), _total(previous, rules.value_ratio_of))
    out = {}
    for agent, got in earned_points(scheme, month, days, previous, department, agents).items():
        brought = Decimal(carried_in.get(agent, "0"))
        cumulative = earned_before.get(agent, Decimal(0)) + got.earned
        row: dict[str, object] = {"points_day": got.day, "points_week": got.week, "points_month": got.month,
                                  "points_units": got.units, "points_penalty": got.penalty,
                                  "points_earned": got.earned}
        row.update(ledger_row(rules, Decimal(got.earned), brought, value, cumulative))
        row["points_reasons"] = got.reasons + [
            f"ledger: carried in {brought} + earned {got.earned}; {row['points_redeemable']} redeemable x point "
            f"value {value} = {row['points_cash']}; level by {cumulative} cumulative points: "
            f"{row['points_level'] or 'none'}"]
        out[agent] = row
    return out
