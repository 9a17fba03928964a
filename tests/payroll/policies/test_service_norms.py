"""The shipped policy service-norms (003 服务规范考核条例), worked by hand.

"服务规范基准分为100分"; "发现一次,扣基准分10分" (rules 1-7, 9-11, 16); "扣基准分6分" (8, 12, 17);
"扣基准分5分" (13-15); "加倍扣罚" (8, 9, 10, 17: their own counts, doubled).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from pipeline.payroll.model import AgentInputs, AgentRollup, Month
from pipeline.payroll.policy import load_policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.scorecard import score

POLICY = load_policy("service-norms")[0]


def norms(**counts: int) -> Decimal:
    given = AgentInputs("a", values={k: Decimal(v) for k, v in counts.items()})
    card = score(AgentRollup("a"), RosterEntry("a", "A", "t", date(2025, 1, 1)), POLICY, Month(2026, 10), given)
    return card.point_card["norms_total"]


@pytest.mark.parametrize(("counts", "expected"), [
    ({}, 100),
    ({"rude_tone": 1}, 90),                                   # -10
    ({"early_hangup": 1}, 94),                                # -6
    ({"early_hangup_complaint": 1}, 88),                      # doubled: -12
    ({"ticket_incomplete": 1, "ticket_without_lookup": 1}, 90),  # -5 -5
    ({"nuisance_call_serious": 1, "fake_praise": 1}, 70),     # -20 -10
    ({"reverse_lookup": 10}, 0),                              # -100: exactly 0
    ({"reverse_lookup": 11}, 0),                              # -110: never below 0
])
def test_base_100_less_each_breach(counts, expected):
    assert norms(**counts) == expected
