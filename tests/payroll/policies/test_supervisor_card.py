"""The shipped policy supervisor-card (000 客服主管月度绩效考核), scored on the supervisor's team, by hand.

000: "1.客户满意度 ... 2.团队管理能力 ... 3.业务处理能力 ... 4.客户服务质量 ... 5.销售业绩与合作项目完成情况".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pipeline.payroll.model import AgentInputs, AgentRollup, Month
from pipeline.payroll.policy import load_policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.scorecard import score
from pipeline.payroll.team_figures import team_figures

POLICY = load_policy("supervisor-card")[0]
ROSTER = {a: RosterEntry(a, a, team, date(2025, 1, 1)) for a, team in
          (("s1", "blue"), ("a1", "blue"), ("a2", "blue"), ("b1", "red"))}
AGENTS = [
    AgentRollup("a1", handled_voice=10, csat_avg=5.0, csat_top2box=1.0, csat_responses=3, qa_internal_evaluations=2,
                qa_internal_avg=96.0, complaints_valid=1),
    AgentRollup("a2", handled_chat=30, csat_avg=4.0, csat_top2box=0.5, csat_responses=1, qa_external_evaluations=2,
                qa_external_avg=92.0),
    AgentRollup("s1"),
    AgentRollup("b1", csat_avg=1.0, csat_responses=9),
]


def test_team_figures_are_summed_from_counts():
    blue = team_figures(AGENTS, ROSTER)["blue"]
    # CSAT: (5 x 3 + 4 x 1) / 4 answers = 4.75 (not the mean of 5.0 and 4.0); top-2: (3 + 0.5) / 4 = 0.875
    # QA: (96 x 2 + 92 x 2) / 4 = 94; complaints 1 over 40 inbound contacts = 0.025
    assert blue == {"team_csat_avg": 4.75, "team_csat_top2box": 0.875, "team_qa_avg": 94.0, "team_handled": 40,
                    "team_complaints_valid": 1, "team_complaint_rate": 0.025, "team_agents": 3}


def test_the_supervisors_card_on_the_team():
    given = AgentInputs("s1", values={"team_management_score": Decimal("18"), "business_score": Decimal("20"),
                                      "sales_score": Decimal("7.5")})
    teams = team_figures(AGENTS, ROSTER)
    card = score(AgentRollup("s1"), ROSTER["s1"], POLICY, Month(2026, 10), given, teams["blue"]).point_card
    # team CSAT 4.75 >= 4.5: 25; QA 94 >= 90 (< 95): 10; 18 + 20 + 7.5 -> 25 + 18 + 20 + 10 + 7.5 = 80.5
    assert (card["sup_team_csat"], card["sup_service_quality"], card["sup_total"]) == (25, 10, Decimal("80.5"))
    red = score(AgentRollup("x"), ROSTER["b1"], POLICY, Month(2026, 10), None, teams["red"]).point_card
    # red: CSAT 1.0 reaches no step, no QA evaluations, no scores given: 0
    assert red["sup_total"] == 0
