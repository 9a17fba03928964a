"""Ranking points per day, week and month on one KPI, and the points ledger (docs/kpi-sources.md).

Choices (documented because points are paid out):
- the periods of a month are its local days, the ISO weeks (Monday..Sunday)
  whose Sunday falls in the month (a week is complete when its month ends; its
  first days may lie in the month before), and the month itself;
- only roster agents with a value for the KPI in the period are ranked; ranks
  are competition ranks (equal values share a rank and its points, the next
  rank is skipped: 1, 2, 2, 4); rank n earns the n-th figure of the period's
  list (example day 3/2/1, week 5/4/2/1, month 10/5/2), later ranks nothing;
- the ledger: available = carried in (the previous month's carried-out points,
  from its close; 0 when it is not closed) + earned; redeemable = available x
  the redeemable share (example 80 %), rounded down to 0.01; the rest is
  carried over to the next month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.payroll.model import Month
from pipeline.payroll.policy import Ranking
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import Settings
from pipeline.store.store import Store

KINDS = ("day", "week", "month")


def rank_points(values: Mapping[str, float | None], table: tuple[int, ...], comparison: str) -> dict[str, int]:
    """Points per agent for one period: competition ranks on the values (None: not ranked)."""
    ranked = {agent: value for agent, value in values.items() if value is not None}
    out = {}
    for agent, value in ranked.items():
        better = sum(1 for other in ranked.values() if (other > value if comparison == ">=" else other < value))
        if better < len(table):
            out[agent] = table[better]
    return out


def weeks(month: Month, zone: ZoneInfo) -> list[tuple[int, int]]:
    """[Monday 00:00, next Monday 00:00) in epoch ms of the ISO weeks whose Sunday is in the month."""
    out = []
    day = month.first
    while day <= month.last:
        if day.isoweekday() == 7:
            monday = day - timedelta(days=6)
            start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
            end = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)
            out.append((int(start.timestamp() * 1000), int(end.timestamp() * 1000)))
        day += timedelta(days=1)
    return out


def earned_points(store: Store, month: Month, settings: Settings, rules: Ranking,
                  agents: Collection[str]) -> dict[str, dict[str, int]]:
    """Points per agent and period kind for the month, from ``cckpi report --by agent`` figures."""
    zone = settings.zone
    start_ms, end_ms = month.range_ms(zone)
    earned: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))

    def award(kind: str, rows: list[dict[str, Any]], table: tuple[int, ...]) -> None:
        values = {r["agent_id"]: r.get(rules.kpi) for r in rows if r["agent_id"] in agents}
        for agent, points in rank_points(values, table, rules.comparison).items():
            earned[agent][kind] += points

    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in build_report(store, ReportRequest(start_ms, end_ms, by=("agent", "interval"), interval="1d"),
                            settings):
        by_day[row["interval_start"]].append(row)
    for _, rows in sorted(by_day.items()):
        award("day", rows, rules.day)
    for week_start, week_end in weeks(month, zone):
        award("week", build_report(store, ReportRequest(week_start, week_end, by=("agent",)), settings), rules.week)
    award("month", build_report(store, ReportRequest(start_ms, end_ms, by=("agent",)), settings), rules.month)
    return {agent: dict(points) for agent, points in earned.items()}


def ledger(earned: Mapping[str, Mapping[str, int]], carried_in: Mapping[str, str], rules: Ranking,
           agents: Collection[str]) -> dict[str, dict[str, Any]]:
    """Per agent: points by period kind, earned, carried in, available, redeemable, carried out."""
    out = {}
    for agent in agents:
        kinds = earned.get(agent, {})
        total = sum(kinds.values())
        brought = Decimal(carried_in.get(agent, "0"))
        available = brought + total
        redeemable = (available * rules.redeemable_share).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        out[agent] = {**{f"points_{kind}": kinds.get(kind, 0) for kind in KINDS}, "points_earned": total,
                      "points_carried_in": str(brought), "points_redeemable": str(redeemable),
                      "points_carried_out": str(available - redeemable)}
    return out
