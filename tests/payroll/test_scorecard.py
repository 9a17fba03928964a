"""The shipped example policy on hand-worked agents: every tier boundary, hours, hire date, the card.

Pure: figures are written by hand, no store.  The example policy is the file
we ship, so these tests also pin that file to docs/kpi-sources.md's rules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from pipeline.payroll import examples
from pipeline.payroll.model import AgentRollup, Month
from pipeline.payroll.policy import PolicyError, load_policy, parse_policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.scorecard import score

EXAMPLE = examples.POLICY
POLICY, POLICY_TEXT = load_policy(EXAMPLE)
OCTOBER = Month(2026, 10)
H = 3600.0

# A clean agent: QA 96 internal (10 evaluations) and 96 external (5), no errors, 176 h worked.
CLEAN = AgentRollup(agent_id="a1", handled_voice=300, qa_internal_evaluations=10, qa_internal_avg=96.0,
                    qa_external_evaluations=5, qa_external_avg=96.0, logged_in_s=176 * H)
ENTRY = RosterEntry("a1", "Li Na", "blue", date(2025, 3, 1))


def card_for(rollup: AgentRollup = CLEAN, entry: RosterEntry | None = ENTRY, policy=POLICY):
    return score(rollup, entry, policy, OCTOBER)


def test_clean_agent_is_excellent_with_300():
    result = card_for()
    assert (result.tier, result.amount, result.reasons) == ("excellent", Decimal("300.00"), ())


@pytest.mark.parametrize("internal, external, tier, amount", [
    (95.0, 95.0, "excellent", "300.00"),   # (95 + 95) / 2 = 95: exactly the threshold
    (96.0, 94.0, "excellent", "300.00"),   # (96 + 94) / 2 = 95: the average of the two sources counts
    (94.98, 95.0, "good", "200.00"),       # (94.98 + 95) / 2 = 94.99 < 95
    (90.0, 90.0, "good", "200.00"),
    (89.99, 89.99, "fair", "100.00"),
    (85.0, 85.0, "fair", "100.00"),
    (84.99, 84.99, "poor", "0.00"),
])
def test_qa_average_boundaries(internal, external, tier, amount):
    result = card_for(replace(CLEAN, qa_internal_avg=internal, qa_external_avg=external))
    assert (result.tier, result.amount) == (tier, Decimal(amount))


def test_qa_just_under_95_says_why_not_excellent():
    result = card_for(replace(CLEAN, qa_internal_avg=94.98, qa_external_avg=95.0))
    assert result.qa_avg_combined == pytest.approx(94.99)
    assert result.reasons == ("not excellent: QA avg 94.99 < 95",)


@pytest.mark.parametrize("fatal, tier, amount", [
    (0, "excellent", "300.00"),
    (1, "good", "200.00"),   # any business error loses excellent
    (3, "good", "200.00"),   # internal errors 3 <= 3
    (4, "fair", "100.00"),   # 4 > 3, but <= 5
    (5, "fair", "100.00"),
    (6, "poor", "0.00"),     # errors > 5
])
def test_internal_business_errors_3_vs_4(fatal, tier, amount):
    # the example counts QA fatal errors as business errors; non-fatal ones do not count
    result = card_for(replace(CLEAN, qa_internal_fatal=fatal, qa_internal_nonfatal=7))
    assert (result.tier, result.amount) == (tier, Decimal(amount))
    assert result.business_errors_internal == fatal


def test_four_internal_errors_reason_names_the_limit():
    result = card_for(replace(CLEAN, qa_internal_fatal=4))
    assert result.reasons == ("not good: internal errors (fraud 0 + business 4) 4 > 3",)


@pytest.mark.parametrize("fatal, tier", [(1, "good"), (2, "fair"), (3, "poor")])
def test_external_business_errors(fatal, tier):
    # external: good allows <= 1 business error, fair <= 2
    assert card_for(replace(CLEAN, qa_external_fatal=fatal)).tier == tier


def test_one_valid_complaint_is_poor():
    result = card_for(replace(CLEAN, complaints_valid=1, complaints_escalated=1))
    assert (result.tier, result.amount) == ("poor", Decimal("0.00"))
    assert result.reasons == ("not fair: valid complaints 1 > 0",)


def test_a_fraud_order_from_the_roster_is_poor():
    result = card_for(entry=replace(ENTRY, fraud_orders=1))
    assert (result.tier, result.fraud_orders) == ("poor", 1)


@pytest.mark.parametrize("hours, deduction, amount", [
    (176, "0.00", "300.00"),
    (200, "0.00", "300.00"),
    (170, "0.00", "300.00"),   # 6 h short: no full 8 h block
    (168, "10.00", "290.00"),  # 8 h short: one block, -10
    (160, "20.00", "280.00"),  # 16 h short: two blocks
    (100, "90.00", "210.00"),  # 76 h short: 9 full blocks
    (99, "0.00", "0.00"),      # under 100 h: no quality bonus at all
])
def test_hours_176_vs_168_vs_99(hours, deduction, amount):
    result = card_for(replace(CLEAN, logged_in_s=hours * H))
    assert (result.hours_deduction, result.amount) == (Decimal(deduction), Decimal(amount))
    assert result.tier_amount == Decimal("300.00")


def test_hours_reasons():
    assert card_for(replace(CLEAN, logged_in_s=168 * H)).reasons == (
        "worked 168.00 h, 8.00 h short of 176 h: 1 x 8 h x 10 = -10",)
    assert card_for(replace(CLEAN, logged_in_s=99 * H)).reasons == (
        "worked 99.00 h < 100 h minimum: no quality bonus",)


@pytest.mark.parametrize("hired, amount", [
    (date(2026, 10, 10), "300.00"),  # the 10th still gets it
    (date(2026, 10, 11), "0.00"),    # joining after the 10th: no bonus
    (date(2026, 9, 30), "300.00"),
    (date(2026, 11, 2), "0.00"),     # not yet employed in October
])
def test_hire_on_the_10th_vs_the_11th(hired, amount):
    result = card_for(entry=replace(ENTRY, hire_date=hired))
    assert result.amount == Decimal(amount)
    if amount == "0.00":
        assert result.reasons == (f"hired {hired}, after day 10: no quality bonus",)


def test_agent_not_in_the_roster_is_scored_but_not_paid():
    result = card_for(entry=None)
    assert (result.tier, result.amount) == ("excellent", Decimal("0.00"))
    assert result.reasons == ("not in the roster: no bonus until the agent is added",)


def test_agent_with_no_contacts_and_no_qa_is_poor():
    result = card_for(AgentRollup(agent_id="a1", logged_in_s=176 * H))
    assert (result.tier, result.qa_avg_combined, result.card_total) == ("poor", None, Decimal(0))


def test_only_one_qa_source_uses_it_alone_or_fails_by_policy():
    internal_only = replace(CLEAN, qa_external_evaluations=0, qa_external_avg=None)
    assert card_for(internal_only).qa_avg_combined == 96.0
    strict = parse_policy(POLICY_TEXT.replace("missing_source: use_other", "missing_source: no_bonus"))
    assert card_for(internal_only, policy=strict).tier == "poor"


def test_weighted_card_worked_example():
    # CSAT 4.5 >= 4.5 -> 40; NPS 49.9 < 50 -> 0; resolution 0.95 >= 0.95 -> 30: total 70
    first = card_for(replace(CLEAN, csat_avg=4.5, nps=49.9, resolution_rate=0.95))
    assert first.card_scores == {"csat_avg": Decimal(40), "nps": Decimal(0), "resolution_rate": Decimal(30)}
    assert first.card_total == Decimal(70)
    # CSAT 4.49 -> 0; NPS 50 -> 30; resolution 0.96 -> 30: total 60
    second = card_for(replace(CLEAN, csat_avg=4.49, nps=50.0, resolution_rate=0.96))
    assert second.card_total == Decimal(60)
    # all three met: 100; no surveys at all (None): 0 each
    assert card_for(replace(CLEAN, csat_avg=5.0, nps=80.0, resolution_rate=1.0)).card_total == Decimal(100)
    assert card_for().card_total == Decimal(0)


def test_money_is_rounded_by_the_policys_rule():
    # 200 - one block of 3.335 = 196.665 -> 196.67 (half up) or 196.66 (half even)
    text = POLICY_TEXT.replace("deduction_per_block: 10", "deduction_per_block: 3.335")
    good = replace(CLEAN, qa_internal_fatal=1, logged_in_s=168 * H)
    assert card_for(good, policy=parse_policy(text)).amount == Decimal("196.67")
    even = parse_policy(text.replace("mode: ROUND_HALF_UP", "mode: ROUND_HALF_EVEN"))
    assert card_for(good, policy=even).amount == Decimal("196.66")


@pytest.mark.parametrize("typo, named", [
    ("  required: 176", "  requried: 176"),
    ("    amount: 300", "    amont: 300"),
    ("qa:\n", "qaa:\n"),
])
def test_policy_with_a_wrong_key_names_it(typo, named):
    bad_key = named.strip().split(":")[0]
    with pytest.raises(PolicyError, match=f"unknown key '[a-z.0-9]*{bad_key}'"):
        parse_policy(POLICY_TEXT.replace(typo, named, 1), "bad.yaml")


def test_policy_errors_name_the_path_and_value():
    with pytest.raises(PolicyError, match=r"bad.yaml: tiers.0.internal.qa_avg_min: .*101"):
        parse_policy(POLICY_TEXT.replace("qa_avg_min: 95", "qa_avg_min: 101", 1), "bad.yaml")
    with pytest.raises(PolicyError, match="last tier .* must have no conditions"):
        parse_policy(POLICY_TEXT.replace("  - name: poor", "  - name: poor\n    internal: {max_errors: 9}"))
    with pytest.raises(PolicyError, match="unknown key 'tiers.0.internal.qa_avg_minimum'"):
        parse_policy(POLICY_TEXT.replace("qa_avg_min: 95", "qa_avg_minimum: 95", 1))


def test_example_policy_is_the_documents_rule():
    assert [(t.name, t.amount) for t in POLICY.tiers] == [
        ("excellent", 300), ("good", 200), ("fair", 100), ("poor", 0)]
    assert (POLICY.hours.required, POLICY.hours.short_block, POLICY.hours.deduction_per_block,
            POLICY.hours.minimum, POLICY.hire.last_hire_day) == (176, 8, 10, 100, 10)
    assert [(c.kpi, c.target, c.weight) for c in POLICY.card] == [
        ("csat_avg", 4.5, 40), ("nps", 50, 30), ("resolution_rate", 0.95, 30)]
