"""003's points scheme (policy points-ranking), worked by hand on one October 2026.

Lines of 003 (客服积分制度) read here:
- "每日订餐成功总量最高者或协议饭店预订成功量最高者均可积3分(同一人获两项积4分)"
- "第二名可以积2分(同一人获两项积3分)"
- "当月部门接通率在95%以上,其他人员均可积1分"
- "个人订餐成功率低于50%不积分"
- "每日凡上班人员抽查2条录音,如不符合客服规范要求的扣5分; 当天由于服务态度造成投诉扣8分;
   当天记录出现作弊现象扣10分; 当天短信出错1次以上,并且造成用户投诉扣5分/次"
- "每周订餐成功总量最高者或协议饭店预订成功量最高者均可积5分(同一人获两项积6分) ... 第四名可以积1分"
- "每月订餐成功率(以系统数据计算)最高者均可积10分 2.第二名可以积5分 3.第三名可以积2分"
- "每次兑换积分的80%(保证积分不清零),剩余20%下月累计"
- "1分不低于1元×(本月协议饭店预订成功量/上月协议饭店预订成功量)"
- "一级订餐师60个积分,二级订餐师80个积分,三级订餐师100个积分,特级订餐师150个积分"
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pipeline.payroll.model import Month
from pipeline.payroll.points_scheme import points_rows
from pipeline.payroll.policy import load_policy

SCHEME = load_policy("points-ranking")[0].points
OCT = Month(2026, 10)
NAMES = ("orders_total", "orders_success", "agreement_bookings", "recordings_failed", "attitude_complaints",
         "cheating", "sms_error_complaints")


def day(total: int, success: int, bookings: int, recordings: int = 0, attitude: int = 0, cheating: int = 0,
        sms: int = 0) -> dict[str, Decimal]:
    return {name: Decimal(v) for name, v in zip(NAMES, (total, success, bookings, recordings, attitude, cheating,
                                                         sms))}


# 5 October (Monday): A and B tie on orders_success 8 (both place 1); D 5 is place 3, C 4 place 4;
# bookings: C 5 place 1, A 3 place 2, B 1 place 3; D and E have 0 bookings: not placed.
OCT5 = {"A": day(10, 8, 3), "B": day(10, 8, 1), "C": day(10, 4, 5, recordings=1), "D": day(10, 5, 0, attitude=1),
        "E": day(0, 0, 0, sms=2)}
DAYS = {agent: {date(2026, 10, 5): values} for agent, values in OCT5.items()}
DAYS["B"] = {**DAYS["B"], date(2026, 10, 31): day(2, 2, 0)}  # Saturday of the week ending Sunday 1 November
PREVIOUS = {"A": {date(2026, 9, 30): day(2, 2, 8)}}  # Wednesday of the week ending Sunday 4 October
CARRIED = {"A": "10.05", "B": "0.03"}
BEFORE = {"A": Decimal(45), "B": Decimal(128), "D": Decimal(83)}


def rows(rate: float | None = 0.95):
    return points_rows(SCHEME, OCT, DAYS, PREVIOUS, {"answer_rate": rate}, ["A", "B", "C", "D", "E", "F"],
                       CARRIED, BEFORE)


def test_day_points_ties_both_kpis_the_50_percent_line_and_participation_at_exactly_95_percent():
    got = rows(0.95)
    # A: success place 1 (tied) and bookings place 2 -> the better place's 3 + 1 = 4
    # B: success place 1 (tied) -> 3; bookings place 3 earns nothing; 31 Oct alone: success place 1 -> 3; 6 in all
    # C: bookings place 1 but 4/10 = 40 % < 50 % -> 0, and A keeps place 2 (not promoted to 1)
    # D: no earning place, 5/10 = exactly 50 % is fine, department 95 % exactly counts -> 1
    # E: no orders -> no positive points, so no participation point either
    assert {a: got[a]["points_day"] for a in "ABCDEF"} == {"A": 4, "B": 6, "C": 0, "D": 1, "E": 0, "F": 0}


def test_participation_needs_the_department_at_95_percent():
    got = rows(0.9499)
    assert got["D"]["points_day"] == 0  # 94.99 % < 95 %
    assert rows(None)["D"]["points_day"] == 0  # nothing offered: no rate, no point


def test_penalties_count_whatever_the_rate():
    got = rows()
    # C: 1 failed recording x 5; D: 1 attitude complaint x 8; E: 2 SMS-error complaints x 5 = 10
    assert {a: got[a]["points_penalty"] for a in "ABCDEF"} == {"A": 0, "B": 0, "C": 5, "D": 8, "E": 10, "F": 0}


def test_weeks_straddling_months_and_the_week_ending_in_the_next_month():
    got = rows()
    # Week ending Sun 4 Oct (28 Sep - 4 Oct): only A has a row (30 Sep, from September's inputs): success 2
    # place 1 and bookings 8 place 1 -> 5 + 1 = 6.
    # Week ending Sun 11 Oct (5-11 Oct): sums = 5 Oct.  success: A 8 and B 8 place 1, D 5 place 3, C 4 place 4;
    # bookings: C 1, A 2, B 3.  A: 1 and 2 -> 5 + 1 = 6 (12 with the first week); B: 1 and 3 -> 6;
    # C: places 4 and 1 -> 5 + 1 = 6 (no 50 % rule for weeks); D: place 3 -> 2.
    # Week ending Sun 1 Nov: earns in November, so B's 31 October earns no week points here.
    assert {a: got[a]["points_week"] for a in "ABCDEF"} == {"A": 12, "B": 6, "C": 6, "D": 2, "E": 0, "F": 0}


def test_month_places_on_the_success_rate_of_the_months_own_days():
    got = rows()
    # B 10/12 = 83.3 % place 1 -> 10; A 8/10 = 80 % place 2 -> 5 (its 30 September row does not count);
    # D 50 % place 3 -> 2; C 40 % place 4 -> 0; E no orders: not placed
    assert {a: got[a]["points_month"] for a in "ABCDEF"} == {"A": 5, "B": 10, "C": 0, "D": 2, "E": 0, "F": 0}


def test_ledger_point_value_cash_and_levels():
    got = rows()
    # earned = day + week + month - penalty: A 4+12+5 = 21, B 6+6+10 = 22, C 0+6+0-5 = 1, D 1+2+2-8 = -3, E -10
    assert {a: got[a]["points_earned"] for a in "ABCDEF"} == {"A": 21, "B": 22, "C": 1, "D": -3, "E": -10, "F": 0}
    # point value: October's bookings 3+1+5 = 9 over September's 8 = 1.125 -> 1.13 (half up)
    assert {got[a]["point_value"] for a in "ABCDEF"} == {"1.13"}
    # A: 10.05 + 21 = 31.05; x 0.8 = 24.84; carried out 6.21; cash 24.84 x 1.13 = 28.0692 -> 28.07
    assert [got["A"][k] for k in ("points_carried_in", "points_redeemable", "points_carried_out", "points_cash")] \
        == ["10.05", "24.84", "6.21", "28.07"]
    # B: 0.03 + 22 = 22.03; x 0.8 = 17.624 -> 17.62 (rounded down); carried 4.41; cash 19.9106 -> 19.91
    assert [got["B"][k] for k in ("points_redeemable", "points_carried_out", "points_cash")] \
        == ["17.62", "4.41", "19.91"]
    # C: 1 available -> 0.80 redeemable, 0.20 carried; cash 0.904 -> 0.90
    assert [got["C"][k] for k in ("points_redeemable", "points_carried_out", "points_cash")] == ["0.80", "0.20", "0.90"]
    # D and E: a negative balance is carried, nothing redeemable
    assert [got["D"][k] for k in ("points_redeemable", "points_carried_out", "points_cash")] \
        == ["0.00", "-3.00", "0.00"]
    assert got["E"]["points_carried_out"] == "-10.00"
    # levels by cumulative earned: A 45+21 = 66 -> 一级; B 128+22 = 150 (exactly) -> 特级; D 83-3 = 80 -> 二级;
    # C 1 -> none
    assert {a: got[a]["points_level"] for a in "ABCD"} == {"A": "一级", "B": "特级", "C": None, "D": "二级"}


def test_a_roster_agent_without_rows_gets_zeros():
    f = rows()["F"]
    assert [f[k] for k in ("points_day", "points_week", "points_month", "points_penalty", "points_earned")] \
        == [0, 0, 0, 0, 0]
    assert (f["points_redeemable"], f["points_cash"], f["points_level"]) == ("0.00", "0.00", None)


def test_point_value_is_one_without_a_previous_month():
    got = points_rows(SCHEME, OCT, DAYS, {}, {"answer_rate": 0.95}, ["A"], {}, {})
    assert got["A"]["point_value"] == "1.00"


def test_every_point_has_its_reason_line():
    reasons = rows()["C"]["points_reasons"]
    assert "day 2026-10-05: orders_success / orders_total 0.4 < 0.5: no positive points" in reasons
    assert "day 2026-10-05: agreement_bookings place 1: 0 (rate rule; the place is kept)" in reasons
    assert "day 2026-10-05: recordings_failed 1 x 5 = -5" in reasons
