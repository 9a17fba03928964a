"""The shipped policy operator-standard (002 绩效考核标准): each threshold at its boundary, by hand.

002's lines: "优秀率≥85%", "占总服务量的比例≤2%", "平均得分≥95分", "呼入通话平均时长≤3分钟", "占比≤20%",
"团队平均水平的105%", "及时率≥95%", "得分≥90分", "首次解决客户问题的比例≥85%", "业务差错率≤0.5%",
"零发生", "团队协作评分(主管+同事评价)≥90分", "有效服务案例≥2个/月", "协助同事解决疑难问题≥5次/月".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pipeline.payroll.model import AgentInputs, AgentRollup, Month
from pipeline.payroll.policy import load_policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.scorecard import score

POLICY = load_policy("operator-standard")[0]
# every figure exactly at its threshold: 200 handled (team average 190.4761...: 200 / 190.476190 = 1.05)
AT = dict(handled_voice=200, csat_top2box=0.85, complaint_rate=0.02, qa_internal_evaluations=1,
          qa_internal_avg=95.0, aht_s=180.0, acw_share=0.2, team_output_avg=200 / 1.05, fcr_rate=0.85,
          qa_internal_business=1)
INPUTS = {"tickets_due": "20", "tickets_in_time": "19", "knowledge_test_score": "90", "business_errors": "0",
          "data_breaches": "0", "teamwork_score": "90", "cases_shared": "2", "colleagues_helped": "5"}


def card(figures: dict, inputs: dict) -> dict[str, Decimal]:
    given = AgentInputs("a", values={k: Decimal(v) for k, v in inputs.items()})
    return score(AgentRollup("a", **figures), RosterEntry("a", "A", "t", date(2025, 1, 1)), POLICY,
                 Month(2026, 10), given).point_card


def test_every_line_met_at_its_threshold():
    # tickets 19/20 = 95 %; errors (1 QA business + 0) / 200 handled = 0.5 %
    got = card(AT, INPUTS)
    assert got["ops_total"] == 100


def test_every_line_missed_just_past_it():
    past = dict(AT, csat_top2box=0.8499, complaint_rate=0.0201, qa_internal_avg=94.99, aht_s=180.1,
                acw_share=0.2001, team_output_avg=200 / 1.0499, fcr_rate=0.8499, qa_internal_business=2)
    inputs = dict(INPUTS, tickets_in_time="18", knowledge_test_score="89.9", data_breaches="1",
                  teamwork_score="89", cases_shared="1", colleagues_helped="4")
    got = card(past, inputs)
    # tickets 18/20 = 90 %; errors 2/200 = 1 %; one breach takes the 10 of "零发生"
    assert got == {key: Decimal(0) for key in got}
