"""``payroll review``: closed months per agent, the average, misses, and the flags of 003 and 002.

003: "2.连续两个月或一季度内表现不佳的员工,将被暂缓晋升或者解雇。"
002: "連續2次考核不達標者,啟動調崗或培訓再認證。" (the document's pinyin glosses left out)
Below standard = the month's frozen row is in the frozen policy's fallback tier ("none" in the example).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pipeline.payroll import examples, review as rv
from pipeline.payroll.closing import ClosedMonth

POLICY_TEXT = examples.POLICY.read_text()  # tiers excellent, good, fair, then the fallback


def row(agent: str, tier: str, total: str, **cards: str) -> dict[str, Any]:
    return {"agent_id": agent, "name": agent.upper(), "team": "t1", "tier": tier, "card_total": total,
            "amount": "0", **{f"card_{k}": v for k, v in cards.items()}}


def closed(month: str, *rows: dict[str, Any]) -> ClosedMonth:
    return ClosedMonth(month, 1, "sum", "Asia/Shanghai", "example", POLICY_TEXT, "", {}, list(rows))


def test_the_fallback_tier_comes_from_the_frozen_policy() -> None:
    fallback = rv.fallback_tier(closed("2026-07"))
    assert fallback not in ("excellent", "good", "fair")


def test_two_months_running_and_twice_in_a_quarter() -> None:
    low = rv.fallback_tier(closed("2026-07"))
    period = rv.quarter("2026Q3")
    months = {
        # a: July and August below standard -> two in a row, and two in the quarter
        # b: July and September below, August fair -> not in a row, but twice in the quarter
        # c: September only -> neither
        "2026-07": closed("2026-07", row("a", low, "40", csat="0", fcr_rate="40"), row("b", low, "50"),
                          row("c", "good", "90")),
        "2026-08": closed("2026-08", row("a", low, "50"), row("b", "fair", "70"), row("c", "good", "80")),
        "2026-09": closed("2026-09", row("a", "good", "91"), row("b", low, "55"), row("c", low, "59")),
    }
    found = {a.agent_id: a for a in rv.review(period, months)}
    assert found["a"].flags == [rv.TWO_MONTHS_RUNNING, rv.TWICE_IN_QUARTER]
    assert found["b"].flags == [rv.TWICE_IN_QUARTER]
    assert found["c"].flags == []
    # averages of the card totals, half up: a (40 + 50 + 91) / 3 = 60.333 -> 60.33; b 175 / 3 = 58.333 -> 58.33;
    # c (90 + 80 + 59) / 3 = 76.333 -> 76.33
    assert [found[x].average_card_total for x in "abc"] == [Decimal("60.33"), Decimal("58.33"), Decimal("76.33")]
    assert found["a"].as_json()["misses"] == ["csat"]  # card_csat scored 0 in July; fcr_rate scored 40
    assert found["a"].as_json()["months_below_standard"] == 2


def test_an_open_month_counts_for_nothing_and_breaks_a_run() -> None:
    low = rv.fallback_tier(closed("2026-07"))
    months = {"2026-07": closed("2026-07", row("a", low, "40")), "2026-08": None,
              "2026-09": closed("2026-09", row("a", low, "45"))}
    (agent,) = rv.review(rv.quarter("2026Q3"), months)
    assert list(agent.months) == ["2026-07", "2026-09"]  # August is open: not reviewed
    # July and September are not in a row (August was never appraised), but both are in Q3
    assert agent.flags == [rv.TWICE_IN_QUARTER]
    assert agent.average_card_total == Decimal("42.50")  # (40 + 45) / 2


def test_a_year_looks_at_each_quarter_and_runs_across_quarters() -> None:
    low = rv.fallback_tier(closed("2026-07"))
    period = rv.year("2026")
    assert len(period.months) == 12 and [q[0].month for q in period.quarters] == [1, 4, 7, 10]
    # June and July below: a run across Q2/Q3, but one month in each quarter
    months = {str(m): None for m in period.months}
    months["2026-06"] = closed("2026-06", row("a", low, "40"))
    months["2026-07"] = closed("2026-07", row("a", low, "41"))
    (agent,) = rv.review(period, months)
    assert agent.flags == [rv.TWO_MONTHS_RUNNING]


def test_an_agent_missing_from_a_closed_month_has_no_card_there() -> None:
    months = {"2026-07": closed("2026-07", row("a", "good", "90"), row("b", "good", "80")),
              "2026-08": closed("2026-08", row("a", "good", "70")), "2026-09": None}
    found = {a.agent_id: a for a in rv.review(rv.quarter("2026Q3"), months)}
    assert found["b"].months == {"2026-07": found["b"].months["2026-07"], "2026-08": None}
    assert found["b"].average_card_total == Decimal("80.00")


@pytest.mark.parametrize("text", ["2026Q5", "2026-Q3", "Q3"])
def test_a_bad_quarter_is_one_line(text: str) -> None:
    with pytest.raises(rv.ReviewError, match="YYYYQn"):
        rv.quarter(text)


def test_a_bad_year_is_one_line() -> None:
    with pytest.raises(rv.ReviewError, match="YYYY"):
        rv.year("26")
