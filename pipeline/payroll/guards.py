"""When a month may be closed: the refusals of ``payroll close``, as pure checks.

Closing freezes money, so it is refused when it would freeze something wrong:
no roster (every agent would be frozen at 0), a month that has not ended in
the centre's zone plus a grace period for late events (``payroll.close_grace_days``,
default 3 days: surveys, QA and complaints keep arriving after the month),
the shipped example policy taken only because ``--policy`` was left out, or
a policy with department shares but no salary total to take them from.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pipeline.payroll.model import Month
from pipeline.payroll.roster import Roster


def closable_from_ms(month: Month, zone: ZoneInfo, grace_days: float) -> int:
    """The first instant the month may be closed: its end in the centre's zone plus the grace period."""
    _, end_ms = month.range_ms(zone)
    return end_ms + int(timedelta(days=grace_days).total_seconds() * 1000)


def close_refusal(month: Month, zone: ZoneInfo, grace_days: float, now_ms: int, roster: Roster | None,
                  implicit_example_policy: bool, missing_salary_total: bool = False) -> str | None:
    """Why the month cannot be closed now (one line naming the fix), or None."""
    if roster is None or not roster:
        return ("close needs --roster FILE with the month's agents: without a roster every agent would be "
                "frozen at 0")
    if implicit_example_policy:
        return ("close needs --policy FILE: the shipped example policy is only used when --policy names it "
                "explicitly")
    if missing_salary_total:
        return ("close needs --salary-total AMOUNT: the policy pays the department bonus and the best agent "
                "shares of the month's salary total")
    opens_ms = closable_from_ms(month, zone, grace_days)
    if now_ms < opens_ms:
        opens = datetime.fromtimestamp(opens_ms / 1000, zone).isoformat(timespec="minutes")
        return (f"{month} cannot be closed before {opens} (the month's end in {zone} plus the "
                f"{grace_days:g}-day grace for late events, setting payroll.close_grace_days)")
    return None
