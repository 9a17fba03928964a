"""The shipped policy points-business-centre (003 客服积分制度, 餐饮商务中心), worked by hand.

- "每天回款最高的积2分,其他的积1分,不参加晨会的扣2分,晨会迟到的扣1分"
- "每周回款最高的积5分,排名第二的积3分,第三的为1分,最后一名不积分"
- "每月回款最高的积8分,排名第二的积3分,第三的为1分,最后一名不积分,每月积分最高的奖励5分"
- "每月签约A类饭店的积20分/家,B类饭店的积10分/家,其他类别包括C类的积5分/家"
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pipeline.payroll.model import Month
from pipeline.payroll.points_scheme import points_rows
from pipeline.payroll.policy import load_policy

SCHEME = load_policy("points-business-centre")[0].points


def row(collections: str, missed: int = 0, late: int = 0, a: int = 0, b: int = 0, other: int = 0):
    return {"collections": Decimal(collections), "meeting_missed": Decimal(missed), "meeting_late": Decimal(late),
            "contracts_a": Decimal(a), "contracts_b": Decimal(b), "contracts_other": Decimal(other)}


# Tuesday 6 October 2026: W collects 500, X 300, Y 300, Z 0 (missed the meeting), V 100 (late)
DAY = date(2026, 10, 6)
DAYS = {"W": {DAY: row("500")}, "X": {DAY: row("300", a=1)}, "Y": {DAY: row("300", b=1, other=2)},
        "Z": {DAY: row("0", missed=1)}, "V": {DAY: row("100", late=1)}}


def test_day_week_month_last_place_contracts_meeting_and_top_bonus():
    got = points_rows(SCHEME, Month(2026, 10), DAYS, {}, {}, list(DAYS), {}, {})
    # day: W highest -> 2; X, Y, V (on duty, not placed) -> 1 each; Z has 0 collections: not placed, still
    # on duty -> 1 ("其他的积1分")
    assert {a: got[a]["points_day"] for a in DAYS} == {"W": 2, "X": 1, "Y": 1, "Z": 1, "V": 1}
    # week 5-11 Oct: W 1st -> 5, X and Y share 2nd -> 3 each, V 4th is the last ranked -> 0 (Z 0: not placed)
    assert {a: got[a]["points_week"] for a in DAYS} == {"W": 5, "X": 3, "Y": 3, "Z": 0, "V": 0}
    # contracts: X one A hotel 20; Y one B 10 + two C 5 x 2 = 20
    assert {a: got[a]["points_units"] for a in DAYS} == {"W": 0, "X": 20, "Y": 20, "Z": 0, "V": 0}
    # meeting: Z missed -2, V late -1
    assert {a: got[a]["points_penalty"] for a in DAYS} == {"W": 0, "X": 0, "Y": 0, "Z": 2, "V": 1}
    # month: W 8, X and Y 3 each, V last -> 0.  Earned before the top bonus: W 2+5+8 = 15,
    # X 1+3+3+20 = 27, Y 27, Z 1-2 = -1, V 1-1 = 0; X and Y share the most points: +5 each to their month
    assert {a: got[a]["points_month"] for a in DAYS} == {"W": 8, "X": 8, "Y": 8, "Z": 0, "V": 0}
    assert {a: got[a]["points_earned"] for a in DAYS} == {"W": 15, "X": 32, "Y": 32, "Z": -1, "V": 0}
    # 80 % redeemable at 1.00 a point: X 32 x 0.8 = 25.60
    assert (got["X"]["points_redeemable"], got["X"]["points_cash"], got["X"]["point_value"]) == \
        ("25.60", "25.60", "1.00")


def test_alone_the_only_place_is_not_the_last():
    got = points_rows(SCHEME, Month(2026, 10), {"W": DAYS["W"]}, {}, {}, ["W"], {}, {})
    # W alone: day 2, week 5, month 8 = 15, the month's most: + 5 -> 20
    assert (got["W"]["points_week"], got["W"]["points_month"], got["W"]["points_earned"]) == (5, 13, 20)
