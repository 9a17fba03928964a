"""The shipped policy agent-card (000 客服员每月绩效考核表), steps at their boundaries, by hand.

000: "1. 工单解决率 ... 2. 服务质量评分 ... 3. 响应时间 ... 4. 问题解决时间 ... 5. 团队合作 ... 6. 专业知识";
"分数可根据实际情况自定义": the file's points (20/20/15/15/15/15) are the centre's choice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipeline.payroll.model import AgentInputs, AgentRollup, Month
from pipeline.payroll.policy import load_policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.scorecard import score

POLICY = load_policy("agent-card")[0]


def card(inputs: dict | None = None, **figures) -> dict[str, Decimal]:
    given = AgentInputs("a", values={k: Decimal(v) for k, v in (inputs or {}).items()})
    return score(AgentRollup("a", **figures), RosterEntry("a", "A", "t", date(2025, 1, 1)), POLICY,
                 Month(2026, 10), given).point_card


@pytest.mark.parametrize(("rate", "points"), [(0.95, 20), (0.9499, 10), (0.85, 10), (0.8499, 0), (None, 0)])
def test_resolution_steps(rate, points):
    assert card(resolution_rate=rate)["agent_resolution"] == points


@pytest.mark.parametrize(("asa", "aht", "points"), [(20.0, 180.0, 15), (20.01, 180.01, 8), (30.0, 300.0, 8),
                                                    (30.01, 300.01, 0)])
def test_time_steps_are_at_most(asa, aht, points):
    got = card(asa_s=asa, aht_s=aht)
    assert (got["agent_response_time"], got["agent_resolution_time"]) == (points, points)


def test_management_scores_and_the_total():
    got = card({"teamwork_score": "12.5", "expertise_score": "15"}, resolution_rate=0.96, csat_avg=4.0,
               asa_s=10.0, aht_s=200.0)
    # 20 + 10 + 15 + 8 + 12.5 + 15 = 80.5
    assert (got["agent_teamwork"], got["agent_total"]) == (Decimal("12.5"), Decimal("80.5"))
    assert card()["agent_teamwork"] == 0  # not scored: 0
