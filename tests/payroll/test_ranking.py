"""Ranking points per day / week / month and the points ledger: pure and on both engines.

Hand-made October 2026 (Asia/Shanghai): on Monday 5 October r1 handles two
calls, r2 and r3 one each; on Tuesday 6 October r2 handles one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from pipeline.payroll import examples
from pipeline.payroll.closing import close_month
from pipeline.payroll.model import Month
from pipeline.payroll.month_sheet import gather
from pipeline.payroll.policy import Ranking, load_policy
from pipeline.payroll.ranking import earned_points, ledger, rank_points, weeks
from pipeline.payroll.roster import parse_roster
from pipeline.settings import load_settings
from tests.fixtures.stores import ingest
from tests.payroll.events import OCT5, answered_call

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = Ranking()  # the example's: handled, 3/2/1, 5/4/2/1, 10/5/2, 80 %
POLICY, POLICY_TEXT = load_policy(examples.SCORECARDS)
ROSTER_CSV = "agent_id,name,team,hire_date\nr1,A,x,2025-01-01\nr2,B,x,2025-01-01\nr3,C,x,2025-01-01\n"
ROSTER = parse_roster(ROSTER_CSV)
SETTINGS = load_settings(tz="Asia/Shanghai")
WEEK = 7 * 86_400_000


def test_competition_ranks_share_points_on_ties():
    values = {"a": 10, "b": 8, "c": 8, "d": 5, "e": None}
    assert rank_points(values, (5, 4, 2, 1), ">=") == {"a": 5, "b": 4, "c": 4, "d": 1}  # ranks 1, 2, 2, 4
    assert rank_points(values, (3, 2, 1), ">=") == {"a": 3, "b": 2, "c": 2}
    assert rank_points(values, (3, 2, 1), "<=") == {"d": 3, "b": 2, "c": 2}  # lowest first


def test_the_weeks_of_a_month_end_on_its_sundays():
    october = weeks(Month(2026, 10), SHANGHAI)
    # Sundays 4, 11, 18, 25 October; the first week starts Monday 28 September; 1 November is November's
    monday = int(datetime(2026, 9, 28, tzinfo=SHANGHAI).timestamp() * 1000)
    assert october == [(monday + w * WEEK, monday + (w + 1) * WEEK) for w in range(4)]


def test_ledger_redeems_80_per_cent_rounded_down_and_carries_the_rest():
    line = ledger({"a1": {"day": 3, "week": 5, "month": 10}}, {"a1": "2.00"}, RULES, ["a1", "a2"])
    assert line["a1"] == {"points_day": 3, "points_week": 5, "points_month": 10, "points_earned": 18,
                          "points_carried_in": "2.00", "points_redeemable": "16.00", "points_carried_out": "4.00"}
    assert (line["a2"]["points_redeemable"], line["a2"]["points_carried_out"]) == ("0.00", "0.00")
    odd = ledger({"a1": {"month": 1}}, {"a1": "0.01"}, RULES, ["a1"])["a1"]
    assert (odd["points_redeemable"], odd["points_carried_out"]) == ("0.80", "0.21")  # 1.01 x 0.8 = 0.808


def two_days() -> list[dict]:
    events = []
    for i, agent in enumerate(["r1", "r1", "r2", "r3"]):
        events += answered_call(f"k{i}", 600 * i, 10, 60, 10, agent=agent, base=OCT5)
    events += answered_call("k9", 86_400, 10, 60, 10, agent="r2", base=OCT5)
    return events


def test_points_earned_per_day_week_and_month(store):
    ingest(store, two_days())
    earned = earned_points(store, Month(2026, 10), SETTINGS, RULES, list(ROSTER))
    # 5 Oct: r1 2 (3), r2 1 and r3 1 tie (2 each); 6 Oct: r2 (3). Week 5-11 Oct: r1 2, r2 2 tie (5 each), r3 (2).
    # Month: r1 and r2 tie (10 each), r3 third (2).
    assert earned == {"r1": {"day": 3, "week": 5, "month": 10}, "r2": {"day": 5, "week": 5, "month": 10},
                      "r3": {"day": 2, "week": 2, "month": 2}}


def test_the_next_month_carries_in_what_the_closed_month_carried_out(store, payroll_store):
    ingest(store, two_days())
    october = gather(store, payroll_store, Month(2026, 10), SETTINGS, ROSTER, ROSTER_CSV, POLICY, POLICY_TEXT)
    closed = close_month(payroll_store, store.db, october, "clerk")
    r1 = {r["agent_id"]: r for r in closed.rows}["r1"]
    assert (r1["points_earned"], r1["points_redeemable"], r1["points_carried_out"]) == (18, "14.40", "3.60")
    november = gather(store, payroll_store, Month(2026, 11), SETTINGS, ROSTER, ROSTER_CSV, POLICY, POLICY_TEXT)
    assert november.points["r1"]["points_carried_in"] == "3.60"
    assert november.points["r1"]["points_redeemable"] == "2.88"  # nothing earned in November: 3.60 x 0.8


def test_a_closed_month_with_every_scorecard_exports_byte_identical(store, payroll_store):
    from pipeline.payroll.inputs import month_inputs, save_inputs
    from pipeline.payroll.month_sheet import month_sheet

    ingest(store, two_days())
    save_inputs(payroll_store, Month(2026, 10), "agent_id,attitude,teamwork\nr1,15,10\n", "in.csv", "li", "x", 1)
    assert month_inputs(payroll_store, Month(2026, 10), ROSTER, POLICY)[1]["r1"].attitude == 15
    october = gather(store, payroll_store, Month(2026, 10), SETTINGS, ROSTER, ROSTER_CSV, POLICY, POLICY_TEXT,
                     salary_total=Decimal("250000.00"))
    close_month(payroll_store, store.db, october, "clerk")

    def export(fmt: str) -> bytes:
        sheet = month_sheet(store, payroll_store, Month(2026, 10), SETTINGS, ROSTER, POLICY, POLICY_TEXT)
        assert sheet.closed and dict(sheet.totals)["salary_total"] == "250000.00"
        return sheet.export(fmt, by_team=True)

    first = export("xlsx"), export("csv")
    ingest(store, answered_call("late", 7200, 10, 60, 10, agent="r3", base=OCT5))  # a late call for r3
    assert (export("xlsx"), export("csv")) == first
