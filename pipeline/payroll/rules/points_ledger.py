"""The points ledger of a month: carried in, earned, redeemed (80 %), carried out, cash and level.

Read from 003 (积分兑换方式, 晋升阶梯), as docs/payroll.md says:
- available = carried in + earned; redeemable = ``redeemable_share`` of the
  available points rounded down to 0.01 when available > 0, else 0 (a negative
  balance is carried, never paid); carried out = available - redeemable;
- point value = ``base_value`` x (this month's total of ``value_ratio_of`` /
  the previous month's), rounded half up to 0.01; ``base_value`` when the
  previous month has none; cash = redeemable x point value, half up to 0.01;
- level: the highest level whose points the cumulative earned points (closed
  months before and this one) reach; below the lowest: none.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field

CENT = Decimal("0.01")


class Level(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    points: Decimal = Field(ge=0, description="cumulative earned points that reach this level")


class LedgerRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    redeemable_share: Decimal = Field(default=Decimal("0.8"), ge=0, le=1)
    base_value: Decimal = Field(default=Decimal("1.00"), ge=0, description="cash per point before the ratio")
    value_ratio_of: str | None = Field(default=None, description="input whose month total over the previous "
                                                                 "month's scales the point value")
    levels: tuple[Level, ...] = ()


def redeemable(available: Decimal, share: Decimal) -> Decimal:
    return (available * share).quantize(CENT, ROUND_DOWN) if available > 0 else Decimal("0.00")


def point_value(rules: LedgerRules, this_month: Decimal, previous_month: Decimal) -> Decimal:
    if not previous_month:
        return rules.base_value.quantize(CENT, ROUND_HALF_UP)
    return (rules.base_value * this_month / previous_month).quantize(CENT, ROUND_HALF_UP)


def level(rules: LedgerRules, cumulative: Decimal) -> str | None:
    reached = [lv for lv in rules.levels if cumulative >= lv.points]
    return max(reached, key=lambda lv: lv.points).name if reached else None


def ledger_row(rules: LedgerRules, earned: Decimal, carried_in: Decimal, value: Decimal,
               cumulative: Decimal) -> dict[str, str | None]:
    """The ledger's row values (decimal strings; the level's name or None)."""
    carried_in = carried_in.quantize(CENT)  # every ledger figure to 0.01, as the points are redeemed
    available = carried_in + earned
    paid = redeemable(available, rules.redeemable_share)
    return {"points_carried_in": str(carried_in), "points_redeemable": str(paid),
            "points_carried_out": str(available - paid), "point_value": str(value),
            "points_cash": str((paid * value).quantize(CENT, ROUND_HALF_UP)), "points_level": level(rules, cumulative)}
