"""``--policy points-ranking`` end to end on both engines: daily inputs, rollup JSON, the close and carry-in.

The events are tests/payroll/events.py's October: 4 inbound contacts offered and 4 answered in the whole
centre (c1, c2, c3 by a1, c5 by a2): the department answer rate is 4 / 4 = 100 % >= 95 % (003:
"当月部门接通率在95%以上,其他人员均可积1分").
"""

from __future__ import annotations

import json

HEADER = ("agent_id,date,orders_total,orders_success,agreement_bookings,recordings_failed,attitude_complaints,"
          "cheating,sms_error_complaints\n")
POLICY = "points-ranking"


def _rows(result) -> dict[str, dict]:
    assert result.exit_code == 0, result.output
    return {row["agent_id"]: row for row in json.loads(result.stdout)["rows"]}


def test_daily_inputs_to_points_and_the_next_months_carry_in(run, tmp_path):
    october = tmp_path / "october.csv"
    # 5 Oct: a1 6 of 10 orders, 2 bookings; a3 4 of 10 (40 %), 0 bookings, one failed recording
    october.write_text(HEADER + "a1,2026-10-05,10,6,2,0,0,0,0\na3,2026-10-05,10,4,0,1,0,0,0\n")
    imported = run("inputs", str(october), policy=POLICY)
    assert imported.exit_code == 0, imported.output
    rows = _rows(run("rollup", "--format", "json", policy=POLICY))
    a1, a3 = rows["a1"], rows["a3"]
    # day: a1 place 1 on both -> 3 + 1 = 4; a3 place 2 on orders_success but 40 % < 50 % -> 0 (place kept)
    # week 5-11 Oct: a1 place 1 on both -> 5 + 1 = 6; a3 place 2 -> 4 (no 50 % rule for weeks)
    # month: a1 6/10 place 1 -> 10; a3 4/10 place 2 -> 5; penalty a3 1 x 5
    assert [a1[k] for k in ("points_day", "points_week", "points_month", "points_penalty", "points_earned")] \
        == [4, 6, 10, 0, 20]
    assert [a3[k] for k in ("points_day", "points_week", "points_month", "points_penalty", "points_earned")] \
        == [0, 4, 5, 5, 4]
    # no September inputs: point value 1.00; a1 20 x 0.8 = 16.00 redeemable, 4.00 carried, cash 16.00
    assert [a1[k] for k in ("points_carried_in", "points_redeemable", "points_carried_out", "point_value",
                            "points_cash", "points_level")] == ["0.00", "16.00", "4.00", "1.00", "16.00", None]
    assert "a2" in rows and "points_day" not in rows["a2"]  # not in the roster: no points

    assert run("close", policy=POLICY).exit_code == 0
    november = tmp_path / "november.csv"
    november.write_text(HEADER + "a1,2026-11-02,4,4,4,0,0,0,0\n")
    assert run("inputs", str(november), policy=POLICY, month="2026-11").exit_code == 0
    a1 = _rows(run("rollup", "--format", "json", policy=POLICY, month="2026-11"))["a1"]
    # November has no events: no answer rate, no participation point.  a1 alone: day 4, week 6, month 10 = 20;
    # carried in 4.00 -> 24.00 available, 19.20 redeemable, 4.80 carried out; point value 4 / 2 = 2.00;
    # cash 19.20 x 2.00 = 38.40
    assert [a1[k] for k in ("points_earned", "points_carried_in", "points_redeemable", "points_carried_out",
                            "point_value", "points_cash")] == [20, "4.00", "19.20", "4.80", "2.00", "38.40"]


def test_bad_daily_inputs_are_one_line_and_store_nothing(run, tmp_path):
    cases = [
        (HEADER.replace("cheating", "cheeting") + "a1,2026-10-05,1,1,0,0,0,0,0\n", "column cheeting: unknown column"),
        (HEADER + "a1,2026-11-01,1,1,0,0,0,0,0\n", "column date: 2026-11-01 is outside 2026-10"),
        (HEADER + "a1,2026-10-05,1,-1,0,0,0,0,0\n", "column orders_success: '-1' is not a whole number >= 0"),
        (HEADER + "a1,2026-10-05,1,1,0,0,0,0,0\na1,2026-10-05,1,1,0,0,0,0,0\n", "has two rows for 2026-10-05"),
    ]
    for number, (text, message) in enumerate(cases):
        bad = tmp_path / f"bad{number}.csv"
        bad.write_text(text)
        result = run("inputs", str(bad), policy=POLICY)
        assert result.exit_code == 1 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
    rows = _rows(run("rollup", "--format", "json", policy=POLICY))
    assert rows["a1"]["points_earned"] == 0  # nothing was stored


def test_a_policy_naming_an_unknown_kpi_is_one_line(run, tmp_path):
    from pipeline.payroll.policies import shipped_text

    bad = tmp_path / "bad.yaml"
    bad.write_text((shipped_text(POLICY) or "").replace('rank_by: ["orders_success / orders_total"]',
                                                        'rank_by: ["orders_succes / orders_total"]'))
    result = run("rollup", policy=bad)
    assert result.exit_code == 1
    assert "points: 'orders_succes / orders_total' names 'orders_succes', which is neither an input" \
        in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_each_policy_keeps_its_own_inputs_for_the_month(run, tmp_path):
    daily = tmp_path / "daily.csv"
    daily.write_text(HEADER + "a1,2026-10-05,10,6,2,0,0,0,0\n")
    monthly = tmp_path / "card.csv"
    monthly.write_text("agent_id,tasks_late\na1,1\n")
    assert run("inputs", str(daily), policy=POLICY).exit_code == 0
    assert run("inputs", str(monthly), policy="card-100").exit_code == 0  # the daily import stays in force
    assert _rows(run("rollup", "--format", "json", policy=POLICY))["a1"]["points_day"] == 4
    assert _rows(run("rollup", "--format", "json", policy="card-100"))["a1"]["c100_tasks"] == "10"  # 15 - 5
