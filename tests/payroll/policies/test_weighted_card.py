"""The shipped policy weighted-card (001 客服KPI考核表): each line all or nothing.

"平均满意度评分≥4.5分(满分5分)40%", "净推荐值≥50%30%", "问题解决率≥95%30%".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipeline.payroll.model import AgentRollup, Month
from pipeline.payroll.policy import load_policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.scorecard import score

POLICY = load_policy("weighted-card")[0]


@pytest.mark.parametrize(("csat", "nps", "resolution", "total"), [
    (4.5, 50.0, 0.95, 100),      # every line exactly at its target
    (4.49, 50.0, 0.95, 60),      # CSAT under: -40
    (4.5, 49.9, 0.95, 70),       # NPS under: -30
    (4.5, 50.0, 0.9499, 70),     # resolution under: -30
    (None, None, None, 0),       # no data earns nothing
])
def test_lines_at_their_targets(csat, nps, resolution, total):
    rollup = AgentRollup("a", csat_avg=csat, nps=nps, resolution_rate=resolution)
    card = score(rollup, RosterEntry("a", "A", "t", date(2025, 1, 1)), POLICY, Month(2026, 10))
    assert card.card_total == Decimal(total)
