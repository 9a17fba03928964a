"""The shipped policy quality-bonus (003 客服代表服务质量评定标准), boundaries worked by hand.

- 优秀: "内部质检:无诈单、无投诉、无业务及资费差错且质检平均分≥95分移动质检:无诈单、无投诉、无业务及资费差错且质检平均分≥95分"
- 良好: "内部质检:诈单量总和≤3通(含诈单、业务差错、资费差错)且质检平均分≥90分。"
        "移动质检:无诈单、无投诉、1通业务差错、无资费差错且质检平均分≥90分"
- 一般: "内部质检:诈单量总和≤5通(含诈单、业务差错、资费差错)且质检平均分≥85分。"
        "移动质检:无诈单、无投诉、2通业务差错、无资费差错且质检平均分≥85分"
- "质检平均分=(内部质检平均分+移动质检平均分)/2"; "当月10号之后入职的新员工无服务质量奖金";
  "当月工时须满176小时,以8小时为基数,每少8小时扣10元"; "低于100工时没有300元质量奖金"
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipeline.payroll.inputs import parse_inputs
from pipeline.payroll.model import AgentRollup, Month
from pipeline.payroll.policy import load_policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.scorecard import score

POLICY = load_policy("quality-bonus")[0]
FULL_HOURS = 176 * 3600.0


def scored(internal: float = 96, external: float = 96, hired: date = date(2025, 1, 1), hours_s: float = FULL_HOURS,
           inputs: dict[str, str] | None = None, **figures):
    rollup = AgentRollup("a", qa_internal_evaluations=2, qa_internal_avg=internal, qa_external_evaluations=1,
                         qa_external_avg=external, logged_in_s=hours_s, **figures)
    entry = RosterEntry("a", "A", "blue", hired)
    given = None
    if inputs:  # as `payroll inputs --policy quality-bonus` reads them
        text = "agent_id," + ",".join(inputs) + "\na," + ",".join(inputs.values()) + "\n"
        given = parse_inputs(text, "inputs.csv", {"a": entry}, POLICY, Month(2026, 10))["a"]
    return score(rollup, entry, POLICY, Month(2026, 10), given)


def bonus(*args, **kwargs) -> tuple[str, Decimal]:
    card = scored(*args, **kwargs)
    return card.tier, card.amount


@pytest.mark.parametrize(("internal", "external", "expected"), [
    (95, 95, ("优秀", "300.00")),      # (95 + 95) / 2 = 95: exactly 95 is 优秀
    (94.98, 95, ("良好", "200.00")),   # 94.99 < 95, nothing found: 良好 (注)
    (90, 90, ("良好", "200.00")),
    (89.98, 90, ("一般", "100.00")),   # 89.99
    (85, 85, ("一般", "100.00")),
    (84.98, 85, ("差", "0.00")),       # 84.99
])
def test_the_combined_average_lines(internal, external, expected):
    tier, amount = bonus(internal, external)
    assert (tier, str(amount)) == expected


@pytest.mark.parametrize(("figures", "expected"), [
    ({"qa_internal_tariff": 1}, "良好"),                                              # 优秀 needs no tariff error
    ({"qa_internal_fraud": 1, "qa_internal_business": 1, "qa_internal_tariff": 1}, "良好"),  # 1+1+1 = 3 <= 3
    ({"qa_internal_fraud": 1, "qa_internal_business": 2, "qa_internal_tariff": 1}, "一般"),  # 4 > 3
    ({"qa_internal_business": 3, "qa_internal_tariff": 2}, "一般"),                  # 5 <= 5
    ({"qa_internal_business": 3, "qa_internal_tariff": 3}, "差"),                    # 6 > 5
    ({"qa_external_business": 1}, "良好"),
    ({"qa_external_business": 2}, "一般"),
    ({"qa_external_business": 3}, "差"),
    ({"qa_external_tariff": 1}, "差"),                                               # no tier allows one
    ({"qa_external_fraud": 1}, "差"),
    ({"complaints_valid": 1}, "差"),
])
def test_errors_by_source(figures, expected):
    assert bonus(**figures)[0] == expected


def test_fatal_errors_are_not_business_errors_in_this_policy():
    assert bonus(qa_internal_fatal=9, qa_external_fatal=9)[0] == "优秀"


def test_hours_and_hire_day():
    assert bonus(hours_s=168 * 3600.0)[1] == Decimal("290.00")    # 8 h short: one block, -10
    assert bonus(hours_s=167.99 * 3600)[1] == Decimal("290.00")   # 8.01 h short: still one full block
    assert bonus(hours_s=100 * 3600.0)[1] == Decimal("210.00")    # 76 h short: 9 blocks, -90
    assert bonus(hours_s=99.99 * 3600)[1] == Decimal("0.00")      # under 100 h: none
    assert bonus(hired=date(2026, 10, 10))[1] == Decimal("300.00")  # hired on the 10th: paid
    assert bonus(hired=date(2026, 10, 11))[1] == Decimal("0.00")    # after the 10th: none


def test_worked_hours_from_attendance_inputs():
    # ACD 156 h + 20 h training = 176 h: no deduction, and the row says how the hours were counted
    card = scored(hours_s=156 * 3600.0, inputs={"training_hours": "20"})
    assert (card.amount, card.worked_hours) == (Decimal("300.00"), 176.0)
    assert "worked hours 176.00 = ACD 156.00 h + training_hours 20 h" in card.reasons
    # attendance 168 h replaces the ACD's 176 h: 8 h short -> 290
    card = scored(inputs={"attendance_hours": "168"})
    assert card.amount == Decimal("290.00")
    assert card.reasons[0] == "worked hours 168.00 = attendance_hours 168 h (instead of ACD 176.00 h)"
    # ACD 90 h + 10 h leave = exactly the 100 h minimum: paid, less 9 blocks of 8 h (76 h short)
    assert scored(hours_s=90 * 3600.0, inputs={"leave_hours": "10"}).amount == Decimal("210.00")
    assert scored(hours_s=90 * 3600.0).amount == Decimal("0.00")
    assert scored().worked_hours is None  # ACD time alone: nothing to show


def test_fraud_orders_given_as_an_input_count_on_both_sides():
    # one fraud order confirmed outside QA: 优秀 and every external side ("无诈单") fail -> 差
    assert bonus(inputs={"fraud_orders": "1"})[0] == "差"
    assert bonus(inputs={"fraud_orders": "0"})[0] == "优秀"
