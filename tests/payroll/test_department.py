"""Department bonus and best agent: hand-worked, pure (plus the CLI's --salary-total)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pipeline.payroll import examples
from pipeline.payroll.department import apply_best_agent, department_result
from pipeline.payroll.policy import PolicyError, load_policy, parse_policy

POLICY, POLICY_TEXT = load_policy(examples.SCORECARDS)
MET = {"service_level": 0.90, "csat_avg": 4.5}


def row(agent: str, c100: str | None, in_roster: str = "yes") -> dict:
    return {"agent_id": agent, "in_roster": in_roster, "c100_total": c100, "payable": "100.00", "reasons": "",
            "best_agent_bonus": "0.00"}


ROWS = [row("a1", "92"), row("a2", "92.00"), row("a3", "80"), row("x9", "99", in_roster="NO")]


def test_targets_met_pay_one_per_cent_and_tied_best_agents_share_half_a_per_cent():
    result = department_result(MET, ROWS, POLICY, Decimal("1000000.00"))
    # 1 % of 1,000,000.00; 0.5 % = 5,000.00 shared by a1 and a2 (x9 is not in the roster)
    assert (result.bonus, result.failures) == ("10000.00", ())
    assert (result.best_agents, result.best_value, result.best_bonus_each) == (("a1", "a2"), "92", "2500.00")


def test_a_target_just_missed_pays_no_department_bonus():
    result = department_result({**MET, "service_level": 0.8999}, ROWS, POLICY, Decimal("1000000.00"))
    assert result.bonus == "0.00" and result.failures == ("service_level 0.8999 not >= 0.9",)
    assert result.best_bonus_each == "2500.00"  # the best agent does not depend on the department's targets
    missing = department_result({"service_level": 0.95}, ROWS, POLICY, Decimal("1000000.00"))
    assert missing.failures == ("csat_avg none not >= 4.5",)


def test_without_a_salary_total_nothing_is_paid():
    result = department_result(MET, ROWS, POLICY, None)
    assert (result.bonus, result.best_agents, result.failures[0]) == ("0.00", (), "no salary total given "
                                                                                "(--salary-total)")


def test_shares_are_rounded_by_the_policy_and_added_to_payable():
    rows = [row("a1", "90"), row("a2", "90"), row("a3", "90")]
    result = department_result(MET, rows, POLICY, Decimal("1000.01"))
    assert result.best_bonus_each == "1.67"  # 1000.01 x 0.005 / 3 = 1.66668 -> 1.67 (ROUND_HALF_UP)
    apply_best_agent(rows, result, POLICY)
    assert (rows[0]["best_agent_bonus"], rows[0]["payable"]) == ("1.67", "101.67")
    assert rows[0]["reasons"] == "best agent (c100_total 90): 0.5 % of 1000.01, shared by 3 = 1.67"


def test_policy_errors_name_the_key():
    with pytest.raises(PolicyError, match="'service_levle' is not a catalogue KPI"):
        parse_policy(POLICY_TEXT.replace("kpi: service_level", "kpi: service_levle"))
    wrong = parse_policy(POLICY_TEXT.replace("best_agent_kpi: c100_total", "best_agent_kpi: c100"))
    with pytest.raises(PolicyError, match="department.best_agent_kpi: 'c100' is not a payroll sheet column"):
        department_result(MET, ROWS, wrong, Decimal(1))


def test_rollup_with_a_salary_total(run, monkeypatch):
    monkeypatch.setenv("CCKPI_LANG", "en")
    result = run("rollup", "--format", "json", "--salary-total", "100000", policy=examples.SCORECARDS)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    totals = data["totals"]
    # October of tests/payroll/events.py: service level 4/4 = 1.0 but no CSAT answers
    assert (totals["department_bonus_total"], totals["department_targets"]) == ("0.00", "csat_avg none not >= 4.5")
    best = [r for r in data["rows"] if r["best_agent_bonus"] != "0.00"]
    assert [r["best_agent_bonus"] for r in best] == ["500.00"] and totals["best_agent"] == best[0]["agent_id"]
    bad = run("rollup", "--salary-total", "lots", policy=examples.SCORECARDS)
    assert bad.exit_code == 2 and "'lots' is not an amount" in bad.output
