"""Close guards (pure), versions, reopen and late-event corrections on both engines.

Hand-worked with tests/payroll/events.py and SIMPLE_POLICY: October pays a3
200.00 (a1 has a valid complaint: 0.00; a2 is not in the roster: 0.00); a
valid complaint against a3 arriving after the close makes October give a3
0.00 now, a correction of -200.00 that the November close carries once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline.payroll.adjustments import carried_lines, corrections
from pipeline.payroll.audit import versions
from pipeline.payroll.closing import CloseInputs, ClosingError, close_month, find_closed, reopen_month
from pipeline.payroll.guards import closable_from_ms, close_refusal
from pipeline.payroll.model import Month
from pipeline.payroll.policy import parse_policy
from pipeline.payroll.rollup import monthly_rollup
from pipeline.payroll.roster import parse_roster
from pipeline.settings import load_settings
from tests.fixtures.stores import ingest
from tests.payroll.events import ROSTER_CSV, SIMPLE_POLICY, late_complaint_for_a3, october

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROSTER = parse_roster(ROSTER_CSV)
POLICY = parse_policy(SIMPLE_POLICY)
SETTINGS = load_settings(tz="Asia/Shanghai")
OCTOBER, NOVEMBER, DECEMBER = Month(2026, 10), Month(2026, 11), Month(2026, 12)


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def test_a_month_may_be_closed_from_its_end_plus_the_grace_period():
    opens = ms("2026-11-04T00:00+08:00")  # October ends 1 November 00:00 local, + 3 days
    assert closable_from_ms(OCTOBER, SHANGHAI, 3) == opens
    assert close_refusal(OCTOBER, SHANGHAI, 3, opens, ROSTER, False) is None
    early = close_refusal(OCTOBER, SHANGHAI, 3, opens - 1, ROSTER, False)
    assert early == ("2026-10 cannot be closed before 2026-11-04T00:00+08:00 (the month's end in Asia/Shanghai "
                     "plus the 3-day grace for late events, setting payroll.close_grace_days)")
    assert closable_from_ms(OCTOBER, ZoneInfo("UTC"), 0.5) == ms("2026-11-01T12:00+00:00")


def test_close_refusals_name_the_fix():
    late = ms("2027-01-01T00:00+08:00")
    assert "close needs --roster FILE" in close_refusal(OCTOBER, SHANGHAI, 3, late, None, False)
    assert "close needs --roster FILE" in close_refusal(OCTOBER, SHANGHAI, 3, late, {}, False)
    assert "close needs --policy FILE" in close_refusal(OCTOBER, SHANGHAI, 3, late, ROSTER, True)
    assert "close needs --salary-total AMOUNT" in close_refusal(OCTOBER, SHANGHAI, 3, late, ROSTER, False, True)


@pytest.fixture
def closed_october(store, payroll_store):
    ingest(store, october())
    rollup = monthly_rollup(store, OCTOBER, SETTINGS, ROSTER)
    closed = close_month(payroll_store, store.db, CloseInputs(rollup, ROSTER, ROSTER_CSV, POLICY, SIMPLE_POLICY),
                         "alice", now_ms=ms("2026-11-05T09:00+08:00"))
    return store, payroll_store, closed


def test_reopen_and_close_again_keep_every_version(closed_october):
    store, payroll, first = closed_october
    assert {r["agent_id"]: r["amount"] for r in first.rows} == {"a1": "0.00", "a2": "0.00", "a3": "200.00"}
    with pytest.raises(ClosingError, match="2026-10 is closed"):
        close_month(payroll, store.db, CloseInputs(monthly_rollup(store, OCTOBER, SETTINGS, ROSTER), ROSTER,
                                                   ROSTER_CSV, POLICY, SIMPLE_POLICY), "bob")
    reopened = reopen_month(payroll, OCTOBER, "roster missed a leaver", "bob", now_ms=ms("2026-11-06T09:00+08:00"))
    assert (reopened.version, reopened.action, reopened.inputs_sha256) == (2, "reopen", first.checksum)
    assert find_closed(payroll, OCTOBER) is None
    second = close_month(payroll, store.db, CloseInputs(monthly_rollup(store, OCTOBER, SETTINGS, ROSTER), ROSTER,
                                                        ROSTER_CSV, POLICY, SIMPLE_POLICY), "carol",
                         now_ms=ms("2026-11-05T09:00+08:00"))  # a clock behind the last version still orders
    assert second.closed_ms > reopened.at_ms and second.checksum == first.checksum
    history = versions(payroll, OCTOBER)
    assert [(v.version, v.action, v.who, v.reason) for v in history] == [
        (1, "close", "alice", ""), (2, "reopen", "bob", "roster missed a leaver"), (3, "close", "carol", "")]
    assert history[0].totals == {"agents": 3, "bonus_total": "200.00", "adjustments_total": "0.00",
                                 "payable_total": "200.00"}
    frozen = payroll.engine.query(f"SELECT closed_ms, count() AS n FROM {payroll.db}.payroll_rows "
                                  f"GROUP BY closed_ms ORDER BY closed_ms")
    assert [int(n) for n in frozen["n"]] == [3, 3]  # the first close's rows are kept


def test_late_events_never_change_the_closed_month_and_are_carried_once(closed_october):
    store, payroll, closed = closed_october
    assert corrections(store, payroll, closed, SETTINGS) == []
    ingest(store, [late_complaint_for_a3()])
    assert find_closed(payroll, OCTOBER).rows == closed.rows  # frozen
    (line,) = corrections(store, payroll, closed, SETTINGS)
    assert (line.agent_id, line.for_month, line.frozen, line.now, line.booked, line.amount) == (
        "a3", "2026-10", "200.00", "0.00", "0.00", "-200.00")
    assert line.reason == "correction for 2026-10 (events after its close): 200.00 -> 0.00, tier good -> poor"
    assert carried_lines(store, payroll, NOVEMBER, SETTINGS) == [line]

    rollup = monthly_rollup(store, NOVEMBER, SETTINGS, ROSTER)
    november = close_month(payroll, store.db, CloseInputs(rollup, ROSTER, ROSTER_CSV, POLICY, SIMPLE_POLICY, (line,)),
                           "alice", now_ms=ms("2026-12-04T09:00+08:00"))
    rows = {r["agent_id"]: r for r in november.rows}
    assert (rows["a3"]["amount"], rows["a3"]["adjustment"], rows["a3"]["payable"]) == ("200.00", "-200.00", "0.00")
    assert november.adjustments == [line.as_json()]
    assert versions(payroll, NOVEMBER)[0].totals == {"agents": 2, "bonus_total": "400.00",
                                                     "adjustments_total": "-200.00", "payable_total": "200.00"}
    # booked by November: December carries nothing more; October shows it as booked
    assert carried_lines(store, payroll, DECEMBER, SETTINGS) == []
    (booked,) = corrections(store, payroll, closed, SETTINGS)
    assert (booked.booked, booked.amount) == ("-200.00", "0.00")
    with pytest.raises(ClosingError, match="2026-11 is closed after 2026-10"):
        reopen_month(payroll, OCTOBER, "x", "bob")
    # reopening November un-books the line: it is carried again by the next close of November
    reopen_month(payroll, NOVEMBER, "redo", "bob")
    assert carried_lines(store, payroll, NOVEMBER, SETTINGS) == [line]


def test_an_agent_with_only_a_correction_still_gets_a_row(closed_october):
    store, payroll, _ = closed_october
    ingest(store, [late_complaint_for_a3()])
    lines = tuple(carried_lines(store, payroll, NOVEMBER, SETTINGS))
    only_a1 = {"a1": ROSTER["a1"]}
    rollup = monthly_rollup(store, NOVEMBER, SETTINGS, only_a1)
    closed = close_month(payroll, store.db, CloseInputs(rollup, only_a1, "", POLICY, SIMPLE_POLICY, lines), "x",
                         now_ms=ms("2026-12-04T09:00+08:00"))
    a3 = {r["agent_id"]: r for r in closed.rows}["a3"]
    assert (a3["amount"], a3["adjustment"], a3["payable"], a3["in_roster"]) == ("0.00", "-200.00", "-200.00", "NO")


def test_inputs_in_force_are_frozen_with_the_close(store, payroll_store):
    from pipeline.payroll import examples
    from pipeline.payroll.inputs import InputsError, month_inputs, save_inputs
    from pipeline.payroll.policy import load_policy

    cards, cards_text = load_policy(examples.SCORECARDS)
    ingest(store, october())
    first = "agent_id,attitude,business_errors\na1,10,1\n"
    save_inputs(payroll_store, OCTOBER, first, "first.csv", "li", "sha-1", 1, now_ms=ms("2026-11-02T09:00+08:00"))
    second = "agent_id,attitude,business_errors\na1,11,0\n"
    save_inputs(payroll_store, OCTOBER, second, "second.csv", "li", "sha-2", 1, now_ms=ms("2026-11-03T09:00+08:00"))
    text, given = month_inputs(payroll_store, OCTOBER, ROSTER, cards)
    assert text == second and given["a1"].attitude == 11
    rollup = monthly_rollup(store, OCTOBER, SETTINGS, ROSTER)
    closed = close_month(payroll_store, store.db, CloseInputs(rollup, ROSTER, ROSTER_CSV, cards, cards_text,
                                                              inputs=given, inputs_text=text), "clerk",
                         now_ms=ms("2026-11-05T09:00+08:00"))
    a1 = closed.rows[0]
    # a1: QA business errors 1 internal + 2 external (fatal errors) + 0 reported = 3 -> accuracy 10 - 15 -> 0
    assert (a1["attitude"], a1["c100_attitude"], a1["c100_accuracy"], a1["business_errors_reported"]) == (
        "11", "11", "0", 0)
    assert closed.meta["inputs_text"] == second and closed.meta["card100"] is True
    with pytest.raises(InputsError, match="2026-10 is closed; reopen it"):
        save_inputs(payroll_store, OCTOBER, first, "first.csv", "li", "sha-1", 1)
    assert [v.action for v in versions(payroll_store, OCTOBER)] == ["inputs", "inputs", "close"]
    assert corrections(store, payroll_store, closed, SETTINGS) == []  # recomputed with the frozen inputs
