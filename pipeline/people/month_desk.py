"""The payroll month as the web pages see it: the same functions as ``cckpi payroll``, never a second copy.

``scorecards`` is what ``payroll rollup --format json`` prints (the frozen rows
once the month is closed); ``close`` runs the CLI's guards in the CLI's order
and words; ``dry_run`` adds what would change against the month's last close.
The policy and roster are the web app's settings (``payroll.policy_path``,
``payroll.roster_path``), read at each request so a new roster counts at once.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from pipeline.payroll import examples
from pipeline.payroll.audit import versions
from pipeline.payroll.closing import ClosingError, close_month, refuse_if_closed, reopen_month
from pipeline.payroll.guards import close_refusal
from pipeline.payroll.model import Month
from pipeline.payroll.month_sheet import from_inputs, gather, month_sheet
from pipeline.payroll.policy import Policy, load_policy
from pipeline.payroll.roster import Roster, load_roster
from pipeline.settings import Settings
from pipeline.store import payroll_tables as tables
from pipeline.store.store import Store

COMPARED = ("tier", "amount", "adjustment", "payable")


@dataclass(frozen=True)
class Config:
    """The policy and roster in force for the web app."""

    policy: Policy
    policy_text: str
    roster: Roster
    roster_text: str
    roster_format: str
    implicit_policy: bool  # no payroll.policy_path: the shipped example (a close refuses it)
    has_roster: bool

    @classmethod
    def load(cls, settings: Settings) -> Config:
        policy_path = settings.payroll.policy_path or examples.POLICY
        policy, policy_text = load_policy(policy_path)
        roster_path = settings.payroll.roster_path
        roster, roster_text = load_roster(roster_path) if roster_path else ({}, "")
        fmt = "yaml" if roster_path and roster_path.suffix.lower() in (".yaml", ".yml") else "csv"
        return cls(policy, policy_text, roster, roster_text, fmt, settings.payroll.policy_path is None,
                   roster_path is not None)


def plain(value: Any) -> Any:
    """JSON as ``payroll rollup --format json`` prints it (``default=str``: amounts as strings)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def scorecards(store: Store, payroll: Store, month: Month, settings: Settings, config: Config) -> dict[str, Any]:
    """The month's sheet as ``payroll rollup --format json`` prints it."""
    sheet = month_sheet(store, payroll, month, settings, config.roster, config.policy, config.policy_text)
    return plain({"month": str(month), "closed": sheet.closed, "rows": sheet.rows, "totals": dict(sheet.totals),
                  "adjustments": sheet.adjustments})


def export(store: Store, payroll: Store, month: Month, settings: Settings, config: Config, fmt: str) -> bytes:
    """The bytes ``payroll export --format fmt`` writes."""
    sheet = month_sheet(store, payroll, month, settings, config.roster, config.policy, config.policy_text)
    return sheet.export(fmt)


def refusal(month: Month, settings: Settings, config: Config, now_ms: int,
            salary_total: Decimal | None = None) -> str | None:
    """The CLI's close guards, in its words (the web app's settings stand in for --roster and --policy)."""
    return close_refusal(month, settings.zone, settings.payroll.close_grace_days, now_ms,
                         config.roster if config.has_roster else None, config.implicit_policy,
                         config.policy.department is not None and salary_total is None)


def _last_close_rows(payroll: Store, month: Month) -> dict[str, dict[str, Any]] | None:
    closes = [v for v in versions(payroll, month) if v.action == "close"]
    if not closes:
        return None
    _, rows, _ = tables.frozen_close(payroll, str(month), closes[-1].at_ms)
    return {row["agent_id"]: row for row in map(json.loads, rows)}


def changes(before: dict[str, dict[str, Any]] | None, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per agent, what differs from the last close in tier, amount, adjustment or payable."""
    if before is None:
        return []
    found = []
    now = {row["agent_id"]: row for row in rows}
    for agent in sorted(set(before) | set(now)):
        old, new = before.get(agent, {}), now.get(agent, {})
        differs = {key: {"closed": plain(old.get(key)), "now": plain(new.get(key))} for key in COMPARED
                   if plain(old.get(key)) != plain(new.get(key))}
        if differs:
            found.append({"agent_id": agent, "changes": differs})
    return found


def close(store: Store, payroll: Store, month: Month, settings: Settings, config: Config, who: str,
          dry_run: bool, salary_total: Decimal | None = None, now_ms: int | None = None) -> dict[str, Any]:
    """Close the month (or show what closing would freeze); ClosingError with the CLI's words when refused."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    why = refusal(month, settings, config, now_ms, salary_total)
    if why:
        raise ClosingError(why)
    refuse_if_closed(payroll, month)
    request = gather(store, payroll, month, settings, config.roster, config.roster_text, config.policy,
                     config.policy_text, salary_total, config.roster_format)
    if dry_run:
        sheet = from_inputs(request, settings)
        return plain({"month": str(month), "dry_run": True, "rows": sheet.rows, "totals": dict(sheet.totals),
                      "adjustments": sheet.adjustments,
                      "changes": changes(_last_close_rows(payroll, month), sheet.rows)})
    closed = close_month(payroll, store.db, request, who)
    return plain({"month": str(month), "dry_run": False, "closed_ms": closed.closed_ms,
                  "checksum": closed.checksum, "agents": len(closed.rows),
                  "adjustment_lines": len(closed.adjustments), "not_in_roster": closed.meta["not_in_roster"]})


def reopen(payroll: Store, month: Month, reason: str, who: str) -> dict[str, Any]:
    version = reopen_month(payroll, month, reason, who)
    return plain(asdict(version))


def history(payroll: Store, month: Month) -> list[dict[str, Any]]:
    """What ``payroll history --format json`` prints."""
    return plain([asdict(v) for v in versions(payroll, month)])

