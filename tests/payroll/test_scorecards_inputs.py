"""The 100-point card, the input-fed card KPIs and supervisor inputs: hand-worked, pure.

The example policy example-scorecards.yaml carries the documents' values:
CSAT 10 (satisfied share >= 90 %), speed 10 - 5/hour over, accuracy 10 - 5/error,
compliance 10 - 5/breach, workload 30 at output >= 105 % of the team average,
attitude 15, teamwork 10; card KPIs output >= 105 %, callbacks >= 90 %,
tickets in time >= 95 %, business errors <= 0.5 % (25 points each).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from pipeline.payroll import examples
from pipeline.payroll.inputs import InputsError, parse_inputs
from pipeline.payroll.model import AgentInputs, AgentRollup, Month
from pipeline.payroll.policy import load_policy
from pipeline.payroll.roster import RosterEntry
from pipeline.payroll.scorecard import score

POLICY, _ = load_policy(examples.SCORECARDS)
OCTOBER = Month(2026, 10)
ENTRY = RosterEntry("a1", "Li Na", "blue", date(2025, 3, 1))
ROSTER = {"a1": ENTRY, "a2": RosterEntry("a2", "Wu Bo", "blue", date(2025, 3, 1))}
# 200 handled against a team average of 200 / 1.05: output exactly 105 %; 90 % satisfied
AGENT = AgentRollup(agent_id="a1", handled_voice=200, csat_top2box=0.90, team_output_avg=200 / 1.05)
FULL = AgentInputs("a1", attitude=Decimal(15), teamwork=Decimal(10), callbacks_due=10, callbacks_done=9,
                   tickets_due=20, tickets_in_time=19, business_errors=1)


def card100(rollup: AgentRollup = AGENT, inputs: AgentInputs | None = FULL) -> dict[str, Decimal]:
    return score(rollup, ENTRY, POLICY, OCTOBER, inputs).card100


def test_a_full_card_is_100_less_the_one_reported_error():
    points = card100()
    assert points == {"csat": 10, "speed": 10, "accuracy": 5, "compliance": 10, "workload": 30, "attitude": 15,
                      "teamwork": 10}
    assert sum(points.values()) == 90


@pytest.mark.parametrize(("share", "points"), [(0.90, 10), (0.8999, 0), (None, 0)])
def test_csat_satisfied_share_boundary(share, points):
    assert card100(replace(AGENT, csat_top2box=share))["csat"] == points


@pytest.mark.parametrize(("hours", "points"), [(0, 10), (1, 5), (2, 0), (3, 0)])
def test_speed_loses_5_per_hour_over_the_limit_never_below_0(hours, points):
    assert card100(inputs=replace(FULL, hours_over_limit=hours))["speed"] == points


def test_accuracy_counts_qa_business_errors_and_reported_ones():
    # 1 internal QA fatal (a business error by the example's qa.business_errors) + 1 reported = 2 -> 10 - 10
    assert card100(replace(AGENT, qa_internal_evaluations=1, qa_internal_avg=90.0, qa_internal_fatal=1))[
        "accuracy"] == 0


@pytest.mark.parametrize(("breaches", "points"), [(0, 10), (1, 5), (5, 0)])
def test_compliance_loses_5_per_breach(breaches, points):
    assert card100(inputs=replace(FULL, compliance_breaches=breaches))["compliance"] == points


@pytest.mark.parametrize(("handled", "points"), [(200, Decimal(30)), (190, Decimal("28.50")), (400, Decimal(30)),
                                                 (0, Decimal(0))])
def test_workload_is_proportional_to_output_and_capped(handled, points):
    # output = handled / (200 / 1.05); 190 -> 0.9975 -> 30 x 0.9975 / 1.05 = 28.50
    assert card100(replace(AGENT, handled_voice=handled))["workload"] == points


def test_scores_not_given_earn_0():
    points = card100(inputs=None)
    assert (points["attitude"], points["teamwork"], points["speed"], points["accuracy"]) == (0, 0, 10, 10)


def test_card_kpis_from_inputs_at_their_boundaries():
    card = score(AGENT, ENTRY, POLICY, OCTOBER, FULL)
    # output 105 %; callbacks 9/10 = 90 %; tickets 19/20 = 95 %; business errors 1/200 = 0.5 %: all met
    assert card.card_scores == {"output_vs_team": 25, "callback_rate": 25, "ticket_timeliness": 25,
                                "business_error_rate": 25}
    worse = score(replace(AGENT, handled_voice=199), ENTRY, POLICY, OCTOBER,
                  replace(FULL, callbacks_done=8, tickets_in_time=18))
    # 199 < 105 %; 8/10; 18/20; 1/199 > 0.5 %
    assert worse.card_scores == {"output_vs_team": 0, "callback_rate": 0, "ticket_timeliness": 0,
                                 "business_error_rate": 0}
    none_due = score(AGENT, ENTRY, POLICY, OCTOBER, AgentInputs("a1"))
    assert (none_due.card_scores["callback_rate"], none_due.card_scores["ticket_timeliness"]) == (0, 0)


def test_fraud_orders_from_inputs_override_the_roster():
    with_fraud = replace(ENTRY, fraud_orders=2)
    assert score(AGENT, with_fraud, POLICY, OCTOBER, AgentInputs("a1")).fraud_orders == 2  # not given: roster
    assert score(AGENT, with_fraud, POLICY, OCTOBER, AgentInputs("a1", fraud_orders=0)).fraud_orders == 0


def parse(text: str):
    return parse_inputs(text, "inputs.csv", ROSTER, POLICY)


def test_inputs_parse_with_empty_cells_and_a_bom():
    found = parse("\ufeffagent_id,attitude,teamwork,callbacks_due,callbacks_done\na1,12.5,,4,4\na2,,10,,\n")
    assert found["a1"] == AgentInputs("a1", attitude=Decimal("12.5"), callbacks_due=4, callbacks_done=4)
    assert found["a2"] == AgentInputs("a2", teamwork=Decimal(10))


@pytest.mark.parametrize(("text", "message"), [
    ("agent_id,attitude\na1,15\nx9,10\n",
     "inputs.csv row 3, column agent_id: agent 'x9' is not in the roster; fix the id or add the agent"),
    ("agent_id,attitude\na1,16\n", "inputs.csv row 2, column attitude: 16 is out of range 0..15"),
    ("agent_id,teamwork\na1,-1\n", "inputs.csv row 2, column teamwork: -1 is out of range 0..10"),
    ("agent_id,attitude\na1,good\n", "inputs.csv row 2, column attitude: 'good' is not a number"),
    ("agent_id,callbacks_due\na1,2.5\n", "inputs.csv row 2, column callbacks_due: '2.5' is not a whole number"),
    ("agent_id,atitude\na1,1\n", "inputs.csv row 1, column atitude: unknown column"),
    ("agent,attitude\na1,1\n", "inputs.csv: no agent_id column"),
    ("agent_id,callbacks_due,callbacks_done\na1,3,4\n",
     "inputs.csv row 2, column callbacks_done: 4 is more than callbacks_due 3"),
    ("agent_id,attitude\na1,1\na1,2\n", "inputs.csv row 3, column agent_id: agent 'a1' is listed twice"),
])
def test_bad_inputs_name_the_row_and_column(text, message):
    with pytest.raises(InputsError) as error:
        parse(text)
    assert str(error.value).startswith(message), str(error.value)
