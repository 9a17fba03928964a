"""Who may be paid a bonus this month: the hire-day and worked-hours rules (003 注 2-3).

"当月10号之后入职的新员工无服务质量奖金": hired after ``last_hire_day`` -> none;
"当月工时须满176小时,以8小时为基数,每少8小时扣10元", "低于100工时没有300元质量奖金".
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.payroll.model import Month
from pipeline.payroll.roster import RosterEntry


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HourRules(_Strict):
    required: float = Field(default=176, ge=0, description="worked hours the month requires")
    short_block: float = Field(default=8, gt=0, description="each full block of this many hours short deducts")
    deduction_per_block: Decimal = Field(default=Decimal(10), ge=0)
    minimum: float = Field(default=100, ge=0, description="under this many hours: no quality bonus")
    replaced_by: str | None = Field(default=None, description="input: worked hours from attendance, given "
                                                              "instead of ACD logged-in time")
    plus: tuple[str, ...] = Field(default=(), description="inputs: hours added (leave, training, meetings, "
                                                          "approved offline work)")


class HireRules(_Strict):
    last_hire_day: int = Field(default=10, ge=1, le=31, description="hired after this day of the month: no bonus")


def joined_too_late(entry: RosterEntry, month: Month, last_day: int) -> bool:
    """Hired after ``last_day`` of this month (or after the month): no quality bonus this month."""
    if entry.hire_date > month.last:
        return True
    return entry.hire_date >= month.first and entry.hire_date.day > last_day


def short_blocks(logged_in_s: float, required_h: float, block_h: float) -> int:
    """Full blocks short, in Decimal seconds so 168 h is exactly one 8 h block under 176 h."""
    short = Decimal(repr(required_h)) * 3600 - Decimal(repr(logged_in_s))
    return max(int(short // (Decimal(repr(block_h)) * 3600)), 0)


def worked_seconds(rules: HourRules, logged_in_s: float,
                   values: Mapping[str, Decimal]) -> tuple[float, str | None]:
    """Seconds the hours rules count: ACD logged-in time, or the attendance input that replaces it, plus the
    inputs that add to it; the reason says how, when it is not the ACD time alone."""
    base, parts = logged_in_s, []
    if rules.replaced_by is not None and rules.replaced_by in values:
        base = float(values[rules.replaced_by]) * 3600
        parts.append(f"{rules.replaced_by} {values[rules.replaced_by]} h (instead of ACD "
                     f"{logged_in_s / 3600:.2f} h)")
    else:
        parts.append(f"ACD {logged_in_s / 3600:.2f} h")
    added = [(name, values[name]) for name in rules.plus if values.get(name)]
    total = base + sum(float(hours) for _, hours in added) * 3600
    if len(parts) == 1 and not added and base == logged_in_s:
        return total, None
    parts += [f"{name} {hours} h" for name, hours in added]
    return total, f"worked hours {total / 3600:.2f} = " + " + ".join(parts)
