"""The shipped policy card-100 (003 客户服务标准及考核评分制度, 二、考核指标及分值设置), boundaries by hand.

Each line's document text is in the policy file (``source``); the ones worked here:
- 2.1.1 "满意率高于90%的,得10分;满意率低于90%的,不得分" (read: >= 90 % gives 10; no surveys 0)
- 2.1.2 "每超过1小时,扣除5分"  2.1.3 "问题处理出现失误,扣除5分"  2.1.4 "出现违规行为,扣除5分"
- 2.2.1 "未按期完成,每项扣除5分"  2.2.2 "(90分以上),得10分;成绩不合格(90分以下),扣除5分"
- 2.2.3 "未按公司规定加班,扣除5分"  2.3.1 "有迟到早退记录,扣除5分"  2.3.2/2.3.3/2.4.1/2.4.2 "扣除5分"
No item goes below 0.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipeline.payroll.model import AgentInputs, AgentRollup, Month
from pipeline.payroll.policy import load_policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.scorecard import score

POLICY = load_policy("card-100")[0]
ENTRY = RosterEntry("a", "A", "blue", date(2025, 1, 1))


def card(inputs: dict[str, str] | None = None, **figures) -> dict[str, Decimal]:
    given = AgentInputs("a", values={k: Decimal(v) for k, v in (inputs or {}).items()})
    return score(AgentRollup("a", **figures), ENTRY, POLICY, Month(2026, 10), given).point_card


@pytest.mark.parametrize(("top2box", "points"), [(0.9, "10"), (0.8999, "0"), (1.0, "10"), (None, "0")])
def test_csat_satisfied_share_at_90_percent(top2box, points):
    assert card(csat_top2box=top2box)["c100_csat"] == Decimal(points)


@pytest.mark.parametrize(("units", "points"), [("0", "10"), ("1", "5"), ("2", "0"), ("3", "0")])
def test_speed_accuracy_compliance_lose_5_per_unit_never_below_0(units, points):
    got = card({"hours_over_limit": units, "business_errors": units, "compliance_breaches": units})
    assert (got["c100_speed"], got["c100_accuracy"], got["c100_compliance"]) == (Decimal(points),) * 3


def test_accuracy_counts_qa_business_and_tariff_errors_of_both_sources_and_reported_ones():
    # 1 internal business + 0 internal tariff + 0 external business + 1 external tariff + 0 reported = 2 -> 0
    assert card(qa_internal_business=1, qa_external_tariff=1)["c100_accuracy"] == 0
    # 1 internal tariff alone -> 10 - 5 = 5; fatal/nonfatal counts are not business errors here
    assert card(qa_internal_tariff=1, qa_internal_fatal=3, qa_internal_nonfatal=4)["c100_accuracy"] == 5


@pytest.mark.parametrize(("late", "points"), [("0", "15"), ("1", "10"), ("3", "0"), ("4", "0")])
def test_tasks_15_less_5_per_late_task(late, points):
    assert card({"tasks_late": late})["c100_tasks"] == Decimal(points)


@pytest.mark.parametrize(("test_score", "points"), [("90", "10"), ("89.99", "5"), ("100", "10"), ("0", "5"),
                                                    (None, "0")])
def test_knowledge_10_at_90_5_below_0_without_a_score(test_score, points):
    given = {"knowledge_test_score": test_score} if test_score is not None else {}
    assert card(given)["c100_knowledge"] == Decimal(points)


@pytest.mark.parametrize(("units", "points"), [("0", "5"), ("1", "0"), ("2", "0")])
def test_overtime_and_attendance_5_less_5_per_unit(units, points):
    got = card({"overtime_refused": units, "late_or_early": units})
    assert (got["c100_overtime"], got["c100_attendance"]) == (Decimal(points),) * 2


@pytest.mark.parametrize(("flag", "points"), [("0", "5"), ("1", "0")])
def test_flags_take_the_5_points(flag, points):
    got = card({name: flag for name in ("initiative_poor", "peer_rating_poor", "joint_solving_poor", "sharing_none")})
    assert [got[k] for k in ("c100_initiative", "c100_peer", "c100_joint", "c100_sharing")] == [Decimal(points)] * 4


def test_total_is_the_sum_of_the_items():
    # full marks but: csat 0 (no surveys), speed 5 (1 hour), tasks 10 (1 late), knowledge 5 (80), peer 0
    # 0 + 5 + 10 + 10 + 10 + 5 + 5 + 5 + 5 + 0 + 5 + 5 = 65
    got = card({"hours_over_limit": "1", "tasks_late": "1", "knowledge_test_score": "80", "peer_rating_poor": "1"})
    assert got["c100_total"] == 65
    # every item full: 40 + 30 + 15 + 10 = 95, as 003's parts add up (the "100 points" are not reachable)
    assert card({"knowledge_test_score": "90"}, csat_top2box=0.95)["c100_total"] == 95
