"""Quarterly and annual review from closed months (002 月度考核+季度復盤+年度總評; 003 and 002's flags).

Only a month's close in force counts: its frozen rows are the appraisal the
agent was paid by, so a review never recomputes a month, and a month that is
not closed (never, or reopened) is shown as open and counts for nothing.

Below standard, the reading chosen: the agent's frozen row is in the fallback
tier (the last, unconditional one) of the policy that close froze, i.e. the
agent reached none of the tiers the policy names as a standard.  A month's
misses are its card lines that scored 0 (their KPI's target was missed).

Flags, as the documents word them:
- 003: 连续两个月或一季度内表现不佳的员工,将被暂缓晋升或者解雇。 ``two_months_running``:
  two calendar months in a row, both closed, both below standard (002's
  連續2次考核不達標 is the same test: appraisals are monthly);
  ``twice_in_quarter``: two or more months below standard within one calendar
  quarter, in a row or not (the reading of 一季度内).
Both look at the months of the period reviewed only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pipeline.payroll.closing import ClosedMonth
from pipeline.payroll.model import Month

TWO_MONTHS_RUNNING = "two_months_running"
TWICE_IN_QUARTER = "twice_in_quarter"


class ReviewError(Exception):
    """The period or a closed month cannot be reviewed; the message names it and the fix."""


@dataclass(frozen=True)
class Period:
    label: str
    months: tuple[Month, ...]

    @property
    def quarters(self) -> list[tuple[Month, ...]]:
        return [self.months[i:i + 3] for i in range(0, len(self.months), 3)]


def quarter(text: str) -> Period:
    """``2026Q3``: July to September."""
    match = re.fullmatch(r"(\d{4})[Qq]([1-4])", text.strip())
    if not match:
        raise ReviewError(f"--quarter {text!r}: write YYYYQn, e.g. 2026Q3")
    year, number = int(match.group(1)), int(match.group(2))
    return Period(f"{year}Q{number}", tuple(Month(year, 3 * number - 2 + i) for i in range(3)))


def year(text: str) -> Period:
    """``2026``: January to December, four quarters."""
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise ReviewError(f"--year {text!r}: write YYYY, e.g. 2026")
    value = int(text)
    return Period(str(value), tuple(Month(value, m) for m in range(1, 13)))


@dataclass(frozen=True)
class MonthCard:
    """One closed month of one agent, as frozen."""

    tier: str
    card_total: Decimal
    amount: Decimal
    below_standard: bool
    misses: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"tier": self.tier, "card_total": str(self.card_total), "amount": str(self.amount),
                "below_standard": self.below_standard, "misses": list(self.misses)}


@dataclass
class AgentReview:
    agent_id: str
    name: str = ""
    team: str = ""
    months: dict[str, MonthCard | None] = field(default_factory=dict)  # None: closed, no row for the agent
    flags: list[str] = field(default_factory=list)

    @property
    def cards(self) -> list[MonthCard]:
        return [card for card in self.months.values() if card is not None]

    @property
    def average_card_total(self) -> Decimal | None:
        """Mean card total of the closed months with a card, half up to 0.01 (None without one)."""
        cards = self.cards
        if not cards:
            return None
        return (sum((c.card_total for c in cards), Decimal(0)) / len(cards)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def as_json(self) -> dict[str, Any]:
        average = self.average_card_total
        return {"agent_id": self.agent_id, "name": self.name, "team": self.team,
                "months": {m: None if c is None else c.as_json() for m, c in self.months.items()},
                "average_card_total": None if average is None else str(average),
                "months_below_standard": sum(1 for c in self.cards if c.below_standard),
                "misses": sorted({kpi for c in self.cards for kpi in c.misses}), "flags": list(self.flags)}


def _card(row: Mapping[str, Any], fallback: str) -> MonthCard:
    misses = tuple(sorted(key[len("card_"):] for key, value in row.items()
                          if key.startswith("card_") and key not in ("card_total", "card_reasons")
                          and _decimal(value) == 0))
    return MonthCard(str(row.get("tier", "")), _decimal(row.get("card_total")), _decimal(row.get("amount")),
                     row.get("tier") == fallback, misses)


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except ArithmeticError:
        return Decimal(0)


def fallback_tier(close: ClosedMonth) -> str:
    """The last (unconditional) tier of the policy the close froze."""
    from pipeline.payroll.policy import PolicyError, parse_policy

    try:
        return parse_policy(close.policy_text, f"the policy frozen with {close.month}").tiers[-1].name
    except PolicyError as exc:
        raise ReviewError(f"{close.month}: its frozen policy no longer parses ({exc}); reopen and close the "
                          f"month again with a current policy") from None


def review(period: Period, closed: Mapping[str, ClosedMonth | None],
           fallback: Callable[[ClosedMonth], str] = fallback_tier) -> list[AgentReview]:
    """Every agent with a row in a closed month of the period, by agent id.

    ``closed`` holds each month of the period (None: not closed);
    ``fallback`` names the fallback tier of a close's frozen policy.
    """
    agents: dict[str, AgentReview] = {}
    for month in period.months:
        close = closed.get(str(month))
        if close is None:
            continue
        lowest = fallback(close)
        for row in close.rows:
            agent = agents.setdefault(row["agent_id"], AgentReview(row["agent_id"]))
            agent.name, agent.team = row.get("name") or agent.name, row.get("team") or agent.team
            agent.months[str(month)] = _card(row, lowest)
    closed_names = [str(m) for m in period.months if closed.get(str(m)) is not None]
    for agent in agents.values():
        agent.months = {m: agent.months.get(m) for m in closed_names}
        agent.flags = _flags(agent, period)
    return [agents[a] for a in sorted(agents)]


def _below(agent: AgentReview, month: Month) -> bool:
    card = agent.months.get(str(month))
    return card is not None and card.below_standard


def _flags(agent: AgentReview, period: Period) -> list[str]:
    flags = []
    months = period.months
    if any(_below(agent, a) and _below(agent, b) for a, b in zip(months, months[1:])):
        flags.append(TWO_MONTHS_RUNNING)
    if any(sum(_below(agent, m) for m in q) >= 2 for q in period.quarters):
        flags.append(TWICE_IN_QUARTER)
    return flags
