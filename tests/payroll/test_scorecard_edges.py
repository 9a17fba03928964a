"""Edges of payroll scoring (``payroll/scorecard.py``) the other hand-worked cases leave open, each by hand.

The example policy (``pipeline/payroll/examples``): tiers excellent 300 (QA >= 95, no errors), good 200,
fair 100, poor 0; QA ``mean_of_sources`` with ``missing_source: use_other``; business errors = fatal errors.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from pipeline.payroll.model import AgentInputs, Month
from pipeline.payroll.scorecard import named_values, qa_average, score
from tests.payroll.example_agent import AGENT, ENTRY, H, policy


EXAMPLE = policy("qa:", "qa:")


def test_a_source_counts_only_with_both_evaluations_and_an_average():
    # internal: an average of 80 but 0 evaluations (nothing evaluated): absent; external 90 over 2: alone, 90
    lone = replace(AGENT, qa_internal_evaluations=0, qa_internal_avg=80.0, qa_external_evaluations=2)
    assert qa_average(lone, EXAMPLE) == 90.0
    # external: 2 evaluations but no average: absent; internal 96 alone
    assert qa_average(replace(AGENT, qa_external_evaluations=2, qa_external_avg=None), EXAMPLE) == 96.0


def test_no_bonus_for_a_missing_source_still_averages_two_present_ones():
    strict = policy("missing_source: use_other", "missing_source: no_bonus")
    assert qa_average(AGENT, strict) == 93.0  # both sources: (96 + 90) / 2
    assert qa_average(replace(AGENT, qa_external_evaluations=0), strict) is None  # one source: no average


def test_an_expression_names_the_figures_and_inputs_not_the_agent():
    flags = policy("qa:", "inputs:\n  - {name: coached, kind: flag}\n  - {name: mentor_score, kind: score}\nqa:")
    values = named_values(AGENT, flags, 93.0, AgentInputs("a1"))
    assert "agent_id" not in values  # a name, not a figure
    assert values["coached"] == 0 and values["mentor_score"] is None  # a flag not given is 0; a score, nothing


def test_the_card_counts_both_sources_business_errors():
    # a card of one line: business errors per handled contact at most 2%.  100 handled; internal 1 fatal error +
    # external 2 = 3 business errors: 3%, missed (0 points).  (Subtracting one side would give -1%: met.)
    rated = policy("card:\n", "card:\n  - {kpi: business_error_rate, target: 0.02, comparison: \"<=\", weight: 100}\n")
    agent = replace(AGENT, handled_voice=100, qa_internal_fatal=1, qa_external_fatal=2)
    card = score(agent, ENTRY, rated, Month(2026, 10))
    assert card.card_scores["business_error_rate"] == 0


def test_why_a_tier_was_missed_names_the_side():
    # QA 93 (good); external 2 fatal errors > 1 allowed for good: fair, and the reason says it was the external side
    agent = replace(AGENT, qa_external_fatal=2)
    card = score(agent, ENTRY, EXAMPLE, Month(2026, 10))
    assert card.tier == "fair"
    assert len(card.reasons) == 1 and card.reasons[0].startswith("not good: external")


def test_two_reasons_for_one_missed_tier_are_listed_once_each():
    # QA 88 on both sides (< 90 for good, >= 85 for fair), external 2 fatal errors (> 1 for good, <= 2 for fair):
    # fair; good was missed for both, the QA average named once
    agent = replace(AGENT, qa_internal_avg=88.0, qa_external_avg=88.0, qa_external_fatal=2)
    card = score(agent, ENTRY, EXAMPLE, Month(2026, 10))
    assert (card.tier, card.reasons) == ("fair", ("not good: QA avg 88.00 < 90, external business errors 2 > 1",))


def test_no_hours_deduction_line_when_the_tier_pays_nothing():
    # QA 80: poor (0).  168 h is one 8 h block short of 176, but there is nothing to deduct from: no hours line
    agent = replace(AGENT, qa_internal_avg=80.0, qa_external_avg=80.0, logged_in_s=168 * H)
    card = score(agent, ENTRY, EXAMPLE, Month(2026, 10))
    assert (card.tier, card.amount, card.reasons) == ("poor", Decimal("0.00"), ("not fair: QA avg 80.00 < 85",))


def test_a_tier_of_one_is_still_cut_by_a_short_block():
    # fair pays 1 in this policy; QA 86 (fair), 168 h: one block short, 10 capped at the 1 there is: 0 paid
    tiny = policy("amount: 100", "amount: 1")
    agent = replace(AGENT, qa_internal_avg=86.0, qa_external_avg=86.0, logged_in_s=168 * H)
    card = score(agent, ENTRY, tiny, Month(2026, 10))
    assert (card.tier, card.hours_deduction, card.amount) == ("fair", Decimal("1.00"), Decimal("0.00"))


def test_fraud_orders_add_the_roster_and_both_qa_sources():
    # roster 1 + internal QA 2 + external QA 3 = 6 fraud orders on the card
    entry = replace(ENTRY, fraud_orders=1)
    card = score(replace(AGENT, qa_internal_fraud=2, qa_external_fraud=3), entry, EXAMPLE, Month(2026, 10))
    assert card.fraud_orders == 6
    with pytest.raises(AttributeError):  # a scored card is a record: the export and the sheet read the same one
        card.amount = Decimal(1)  # type: ignore[misc]
