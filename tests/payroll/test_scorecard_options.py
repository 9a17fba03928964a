"""The documented policy options of the quality bonus, each with a hand-worked case.

- ``qa.average: all_evaluations``: the mean over every evaluation, not of the two source means;
- ``qa.business_errors: nonfatal_errors | all_errors``: which QA counts are business errors;
- the hours deduction never takes more than the tier's amount (scorecard.py's cap).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from pipeline.payroll.model import Month
from pipeline.payroll.scorecard import score
from tests.payroll.example_agent import AGENT, ENTRY, H, policy


def test_all_evaluations_weights_each_evaluation():
    mean = score(AGENT, ENTRY, policy("average: mean_of_sources", "average: mean_of_sources"), Month(2026, 10))
    every = score(AGENT, ENTRY, policy("average: mean_of_sources", "average: all_evaluations"), Month(2026, 10))
    assert (mean.qa_avg_combined, every.qa_avg_combined) == (93.0, 94.5)
    # internal 99 x 3, external 90 x 1: sources' mean 94.5 (good) but all evaluations 387 / 4 = 96.75 (excellent)
    high = replace(AGENT, qa_internal_avg=99.0)
    assert score(high, ENTRY, policy("average: mean_of_sources", "average: all_evaluations"),
                 Month(2026, 10)).tier == "excellent"
    assert score(high, ENTRY, policy("average: mean_of_sources", "average: mean_of_sources"),
                 Month(2026, 10)).tier == "good"


def test_business_errors_option_picks_the_qa_counts():
    # external: 0 fatal, 2 non-fatal.  fatal_errors (example): 0 business errors -> tier by average (good, 93)
    agent = replace(AGENT, qa_external_fatal=0, qa_external_nonfatal=2, qa_internal_fatal=1)
    fatal = score(agent, ENTRY, policy("business_errors: fatal_errors", "business_errors: fatal_errors"),
                  Month(2026, 10))
    assert (fatal.business_errors_internal, fatal.business_errors_external, fatal.tier) == (1, 0, "good")
    # nonfatal_errors: external 2 > 1 allowed for good -> fair (2 <= 2)
    nonfatal = score(agent, ENTRY, policy("business_errors: fatal_errors", "business_errors: nonfatal_errors"),
                     Month(2026, 10))
    assert (nonfatal.business_errors_internal, nonfatal.business_errors_external, nonfatal.tier) == (0, 2, "fair")
    # all_errors: internal 1 + 0 = 1, external 0 + 2 = 2 -> fair
    every = score(agent, ENTRY, policy("business_errors: fatal_errors", "business_errors: all_errors"),
                  Month(2026, 10))
    assert (every.business_errors_internal, every.business_errors_external, every.tier) == (1, 2, "fair")


def test_the_hours_deduction_never_exceeds_the_tier_amount():
    steep = policy("deduction_per_block: 10", "deduction_per_block: 60")
    fair = replace(AGENT, qa_internal_avg=86.0, qa_external_avg=86.0)  # 86: fair, 100
    # 168 h: one 8 h block short -> 60 of 100: 40 paid
    one = score(replace(fair, logged_in_s=168 * H), ENTRY, steep, Month(2026, 10))
    assert (one.tier, one.hours_deduction, one.amount) == ("fair", Decimal("60.00"), Decimal("40.00"))
    # 152 h: three blocks -> 180, capped at the 100 of the tier: 0 paid, never negative
    three = score(replace(fair, logged_in_s=152 * H), ENTRY, steep, Month(2026, 10))
    assert (three.hours_deduction, three.amount) == (Decimal("100.00"), Decimal("0.00"))
