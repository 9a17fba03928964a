"""Department bonus and "best agent": shares of the month's salary total (docs/kpi-sources.md).

The salary total is an input (``--salary-total``): payroll does not know
salaries.  The department bonus (example 1 %) is paid when the department
meets every target; it is a pool for the department, shown in the totals,
not split here.  The best agent's share (example 0.5 %) goes to the roster
agent with the best value of the chosen sheet column (ties share it equally,
each share rounded by the policy's rule) and adds to their payable amount.
Both are decided when the month is closed and frozen with it; a later
correction (``payroll adjustments``) covers the quality bonus only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from pipeline.payroll.model import Month
from pipeline.payroll.policy import Policy, PolicyError
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import Settings
from pipeline.store.store import Store


@dataclass(frozen=True)
class DepartmentResult:
    salary_total: str
    figures: dict[str, float | None]
    failures: tuple[str, ...]
    bonus: str
    best_agents: tuple[str, ...]
    best_value: str
    best_bonus_each: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def department_figures(store: Store, month: Month, settings: Settings) -> dict[str, Any]:
    """The month's catalogue figures for the whole centre (one report row, no grouping)."""
    start_ms, end_ms = month.range_ms(settings.zone)
    rows = build_report(store, ReportRequest(start_ms, end_ms, by=()), settings)
    return rows[0] if rows else {}


def _met(value: float | None, target: float, comparison: str) -> bool:
    return value is not None and (value >= target if comparison == ">=" else value <= target)


def department_result(figures: dict[str, Any], rows: list[dict[str, Any]], policy: Policy,
                      salary_total: Decimal | None) -> DepartmentResult | None:
    """Pure: the department bonus and the best agent(s) of the month (None when the policy has neither)."""
    rules = policy.department
    if rules is None:
        return None
    money = policy.rounding.money
    failures = [f"{t.kpi} {_shown(figures.get(t.kpi))} not {t.comparison} {t.target:g}" for t in rules.targets
                if not _met(figures.get(t.kpi), t.target, t.comparison)]
    if salary_total is None:
        failures.insert(0, "no salary total given (--salary-total)")
    total = salary_total if salary_total is not None else Decimal(0)
    bonus = money(total * rules.salary_share) if not failures else money(Decimal(0))
    known = [r for r in rows if r.get("in_roster") == "yes"]
    if known and rules.best_agent_kpi not in known[0]:
        raise PolicyError(f"department.best_agent_kpi: {rules.best_agent_kpi!r} is not a payroll sheet column "
                          f"(e.g. card_total, c100_total, handled_total)")
    values = [(Decimal(str(r[rules.best_agent_kpi])), r["agent_id"]) for r in known
              if r.get(rules.best_agent_kpi) not in (None, "")]
    best: tuple[str, ...] = ()
    best_value = ""
    each = money(Decimal(0))
    if values and salary_total is not None:
        chosen = max(v for v, _ in values) if rules.best_agent_comparison == ">=" else min(v for v, _ in values)
        best = tuple(sorted(agent for v, agent in values if v == chosen))
        best_value = str(chosen)
        each = money(total * rules.best_agent_share / len(best))
    figures_shown = {t.kpi: figures.get(t.kpi) for t in rules.targets}
    return DepartmentResult(str(money(total)), figures_shown, tuple(failures), str(bonus), best, best_value,
                            str(each))


def _shown(value: float | None) -> str:
    return "none" if value is None else f"{value:.4g}"


def apply_best_agent(rows: list[dict[str, Any]], result: DepartmentResult | None, policy: Policy) -> None:
    """Add the best agent's share to their row (best_agent_bonus, payable, a reason)."""
    if result is None or not result.best_agents or policy.department is None:
        return
    share = policy.department.best_agent_share
    for row in rows:
        if row["agent_id"] in result.best_agents:
            row["best_agent_bonus"] = result.best_bonus_each
            row["payable"] = str(policy.rounding.money(Decimal(row["payable"]) + Decimal(result.best_bonus_each)))
            tied = f", shared by {len(result.best_agents)}" if len(result.best_agents) > 1 else ""
            reason = (f"best agent ({policy.department.best_agent_kpi} {result.best_value}): {(share * 100).normalize():f} % of "
                      f"{result.salary_total}{tied} = {result.best_bonus_each}")
            row["reasons"] = "; ".join(part for part in (row["reasons"], reason) if part)
