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
from pipeline.store.engines import literal
from pipeline.store.store import Store

COLUMNS = ("month", "version", "action", "at_ms", "who", "reason", "policy_name", "policy_sha256",
           "roster_sha256", "inputs_sha256", "totals")


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
    result = payroll.engine.query(
        f"SELECT {', '.join(COLUMNS)} FROM {payroll.db}.payroll_audit WHERE month = {literal(str(month))} "
        f"ORDER BY version")
    out = []
    for values in zip(*(result[name] for name in COLUMNS)):
        item = dict(zip(COLUMNS, values))
        out.append(Version(**{**item, "version": int(item["version"]), "at_ms": int(item["at_ms"]),
                              "totals": json.loads(item["totals"])}))
    return out


def record(payroll: Store, month: str, action: str, at_ms: int, who: str, reason: str, policy_name: str,
           policy_sha256: str, roster_sha256: str, inputs_sha256: str, totals: dict[str, Any]) -> Version:
    """Add the month's next version."""
    number = len(versions(payroll, month)) + 1
    row = {"month": month, "version": number, "action": action, "at_ms": at_ms, "who": who, "reason": reason,
           "policy_name": policy_name, "policy_sha256": policy_sha256, "roster_sha256": roster_sha256,
           "inputs_sha256": inputs_sha256, "totals": json.dumps(totals, sort_keys=True)}
    payroll.engine.insert("payroll_audit", {k: [v] for k, v in row.items()},
                          {k: "int" if k in ("version", "at_ms") else "str" for k in COLUMNS})
    return Version(**{**row, "totals": totals})  # type: ignore[arg-type]


def closed_months(payroll: Store) -> list[str]:
    """Every month that has ever been closed (closed or reopened now), in order."""
    result = payroll.engine.query(f"SELECT DISTINCT month FROM {payroll.db}.payroll_closes ORDER BY month")
    return [str(m) for m in result["month"]]


def current_close_ms(payroll: Store, month: Month | str) -> int | None:
    """The close in force for the month: its latest version when that is a close, else None.

    Months closed before the audit table existed have no versions: their
    first close is in force (closing again was refused then).
    """
    db, name = payroll.db, literal(str(month))
    latest = payroll.engine.query(
        f"SELECT action, at_ms FROM {db}.payroll_audit WHERE month = {name} AND action IN ('close', 'reopen') "
        f"ORDER BY version DESC LIMIT 1")
    if latest["action"]:
        return int(latest["at_ms"][0]) if latest["action"][0] == "close" else None
    legacy = payroll.engine.query(
        f"SELECT closed_ms FROM {db}.payroll_closes WHERE month = {name} ORDER BY closed_ms LIMIT 1")
    return int(legacy["closed_ms"][0]) if legacy["closed_ms"] else None
