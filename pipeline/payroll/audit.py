"""The payroll audit trail: every close and reopen of a month, kept for good.

A payroll clerk must be able to say who closed a month, when, from which
policy and roster (sha256 of their exact text) and inputs, with which totals,
and why it was reopened.  Versions are only ever added (``payroll_audit``);
the month's latest version decides whether it is closed.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from typing import Any

from pipeline.payroll.model import Month
from pipeline.store import payroll_tables as tables
from pipeline.store.store import Store


@dataclass(frozen=True)
class Version:
    month: str
    version: int
    action: str  # close | reopen
    at_ms: int
    who: str
    reason: str
    policy_name: str
    policy_sha256: str
    roster_sha256: str
    inputs_sha256: str
    totals: dict[str, Any]


def who_default() -> str:
    """The OS user running the command (``--by`` overrides it)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def versions(payroll: Store, month: Month | str) -> list[Version]:
    """The month's versions, oldest first."""
    return [Version(**{**item, "version": int(item["version"]), "at_ms": int(item["at_ms"]),
                       "totals": json.loads(item["totals"])}) for item in tables.audit_rows(payroll, str(month))]


def record(payroll: Store, month: str, action: str, at_ms: int, who: str, reason: str, policy_name: str,
           policy_sha256: str, roster_sha256: str, inputs_sha256: str, totals: dict[str, Any]) -> Version:
    """Add the month's next version."""
    number = len(versions(payroll, month)) + 1
    row = {"month": month, "version": number, "action": action, "at_ms": at_ms, "who": who, "reason": reason,
           "policy_name": policy_name, "policy_sha256": policy_sha256, "roster_sha256": roster_sha256,
           "inputs_sha256": inputs_sha256, "totals": json.dumps(totals, sort_keys=True)}
    tables.add_audit_row(payroll, row)
    return Version(**{**row, "totals": totals})  # type: ignore[arg-type]


def closed_months(payroll: Store) -> list[str]:
    """Every month that has ever been closed (closed or reopened now), in order."""
    return tables.closed_month_names(payroll)


def current_close_ms(payroll: Store, month: Month | str) -> int | None:
    """The close in force for the month: its latest version when that is a close, else None.

    Months closed before the audit table existed have no versions: their
    first close is in force (closing again was refused then).
    """
    latest = tables.latest_close_or_reopen(payroll, str(month))
    if latest is not None:
        action, at_ms = latest
        return at_ms if action == "close" else None
    return tables.first_close_ms(payroll, str(month))
