"""The sheet of a month, from the frozen rows when it is closed, else computed now.

The one place that decides between the two, so ``rollup`` and ``export`` of a
closed month both show exactly what was closed (and say so).  An open month
shows the corrections of earlier closed months that closing it would carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pipeline.payroll.adjustments import carried_lines
from pipeline.payroll.closing import CloseInputs, ClosedMonth, find_closed, month_rows
from pipeline.payroll.department import department_figures
from pipeline.payroll.sheet_files import SheetMeta, csv_bytes, xlsx_bytes
from pipeline.payroll.inputs import Inputs, month_inputs, policy_key
from pipeline.payroll.manual_lines import month_lines
from pipeline.payroll.ranking import earned_points, ledger
from pipeline.payroll.model import AdjustmentLine, Month
from pipeline.payroll.points_month import month_points
from pipeline.payroll.policy import Policy
from pipeline.payroll.rollup import monthly_rollup
from pipeline.payroll.roster import Roster
from pipeline.payroll.sheet import columns, point_card_keys, totals
from pipeline.settings import Settings
from pipeline.store.store import Store

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Sheet:
    rows: list[dict[str, Any]]
    columns: list[tuple[str, str, str]]
    totals: list[tuple[str, Any]]
    meta: SheetMeta
    adjustments: list[dict[str, Any]] = field(default_factory=list)
    lang: str = "en"

    @property
    def closed(self) -> bool:
        return self.meta.closed_ms is not None

    def export(self, fmt: str, by_team: bool = False) -> bytes:
        if fmt == "csv":
            return csv_bytes(self.rows, self.columns)
        return xlsx_bytes(self.rows, self.columns, self.totals, self.meta, self.lang, self.adjustments, by_team)


def from_closed(closed: ClosedMonth, lang: str = "en") -> Sheet:
    meta = SheetMeta(month=closed.month, tz=closed.tz, policy_name=closed.policy_name,
                     policy_text=closed.policy_text, currency=closed.meta["currency"], checksum=closed.checksum,
                     closed_ms=closed.closed_ms, not_in_roster=tuple(closed.meta["not_in_roster"]))
    card = columns(tuple(closed.meta["card"]), lang, bool(closed.meta.get("card100")),
                   bool(closed.meta.get("ranking")), tuple(closed.meta.get("point_card", ())),
                   bool(closed.meta.get("points")))
    return Sheet(closed.rows, card, totals(closed.rows, closed.month, closed.meta.get("department")), meta,
                 closed.adjustments, lang)


def gather(store: Store, payroll: Store | None, month: Month, settings: Settings, roster: Roster, roster_text: str,
           policy: Policy, policy_text: str, salary_total: Decimal | None = None,
           roster_format: str = "csv", seat_policies: Mapping[str, tuple[Policy, str]] | None = None) -> CloseInputs:
    """Everything an open month is scored from: the rollup, the corrections a close would carry and the
    supervisor inputs in force (from the payroll store, when given), the department's figures, and the
    policies of seat groups scored apart (``--policy-for``)."""
    rollup = monthly_rollup(store, month, settings, roster)
    lines: tuple[AdjustmentLine, ...] = ()
    inputs_text, inputs = "", Inputs()
    manual_text, manual = "", []
    if payroll is not None:
        lines = tuple(carried_lines(store, payroll, month, settings))
        inputs_text, inputs = month_inputs(payroll, month, roster, policy)
        for group, (own, _) in (seat_policies or {}).items():  # a seat group's policy with its own inputs
            if policy_key(own) not in ("", policy_key(policy)):
                theirs = month_inputs(payroll, month, roster, own)[1]
                inputs.update({a: given for a, given in theirs.items() if roster[a].seat_group == group})
        manual_text, manual = month_lines(payroll, month, roster)
    figures = department_figures(store, month, settings) if policy.department or policy.points else {}
    points: dict[str, dict[str, Any]] = {}
    if policy.points is not None:
        points = month_points(payroll, month, roster, policy, inputs, figures,
                              [a.agent_id for a in rollup.agents if a.agent_id in roster])
    if policy.ranking is not None:
        ranked = [a.agent_id for a in rollup.agents if a.agent_id in roster]
        previous = find_closed(payroll, month.minus(1)) if payroll is not None else None
        carried_in = {r["agent_id"]: r.get("points_carried_out") or "0" for r in previous.rows} if previous else {}
        points = ledger(earned_points(store, month, settings, policy.ranking, ranked), carried_in, policy.ranking,
                        ranked)
    return CloseInputs(rollup, roster, roster_text, policy, policy_text, lines, roster_format, inputs, inputs_text,
                       salary_total, figures, points, dict(seat_policies or {}), tuple(manual), manual_text)


def from_inputs(inputs: CloseInputs, settings: Settings) -> Sheet:
    """The open month's sheet: what closing it now would freeze."""
    rows, department = month_rows(inputs)
    policy, rollup = inputs.policy, inputs.rollup
    meta = SheetMeta(month=str(rollup.month), tz=settings.tz, policy_name=policy.name,
                     policy_text=inputs.policy_text, currency=policy.currency, not_in_roster=rollup.not_in_roster)
    every = [policy] + list(inputs.group_policies.values())
    card = columns(tuple(dict.fromkeys(line.kpi for p in every for line in p.card)), settings.language,
                   any(p.card100 is not None for p in every), policy.ranking is not None,
                   tuple(dict.fromkeys(key for p in every for key in point_card_keys(p))), policy.points is not None)
    return Sheet(rows, card, totals(rows, rollup.month, department.as_json() if department else None), meta,
                 [line.as_json() for line in inputs.adjustments], settings.language)


def computed(store: Store, month: Month, settings: Settings, roster: Roster, policy: Policy,
             policy_text: str) -> Sheet:
    """The month from the events store alone (no payroll store: no corrections, no supervisor inputs)."""
    return from_inputs(gather(store, None, month, settings, roster, "", policy, policy_text), settings)


def month_sheet(store: Store, payroll: Store, month: Month, settings: Settings, roster: Roster, policy: Policy,
                policy_text: str, salary_total: Decimal | None = None,
                seat_policies: Mapping[str, tuple[Policy, str]] | None = None) -> Sheet:
    closed = find_closed(payroll, month)
    if closed is not None:
        return from_closed(closed, settings.language)
    return from_inputs(gather(store, payroll, month, settings, roster, "", policy, policy_text, salary_total,
                              seat_policies=seat_policies), settings)
