"""The monthly rollup from a store, on hand-made events (tests/payroll/events.py), both engines."""

from __future__ import annotations

import pytest

from pipeline.payroll.model import Month
from pipeline.payroll.rollup import NOT_IN_ROSTER_TEAM, monthly_rollup
from pipeline.payroll.roster import parse_roster
from pipeline.settings import load_settings
from tests.fixtures.stores import ingest, report
from tests.payroll.events import ROSTER_CSV, october

ROSTER = parse_roster(ROSTER_CSV)


@pytest.fixture
def rolled(store):
    ingest(store, october())
    settings = load_settings(tz="Asia/Shanghai")
    return store, settings, monthly_rollup(store, Month(2026, 10), settings, ROSTER)


def test_agents_in_october(rolled):
    _, _, month = rolled
    assert [a.agent_id for a in month.agents] == ["a1", "a2", "a3"]
    assert month.not_in_roster == ("a2",)  # reported, not dropped
    assert NOT_IN_ROSTER_TEAM == "(not in roster)"


def test_handled_by_channel_and_month_boundary_in_shanghai(rolled):
    _, _, month = rolled
    a1, a2, a3 = month.agents
    # c1, c2 inbound voice; c3 chat; c4 outbound. c6 (1 Nov 00:30 local) and c0 (September) are not October
    assert (a1.handled_voice, a1.handled_chat, a1.handled_outbound, a1.handled_total) == (2, 1, 1, 4)
    # c5 offered 31 October 23:30 local (15:30 UTC) is October's
    assert (a2.handled_voice, a2.handled_total) == (1, 1)
    # resolution: resolved c1, c3 of disposed c1, c2, c3 (inbound)
    assert a1.resolution_rate == pytest.approx(2 / 3)


def test_qa_by_source_and_complaints(rolled):
    _, _, month = rolled
    a1 = month.agents[0]
    # internal 90 and 100 -> 95 with 1 fatal; external 80 with 2 fatal; the 3 October evaluation of a
    # September contact counts in September
    assert (a1.qa_internal_evaluations, a1.qa_internal_avg, a1.qa_internal_fatal) == (2, 95.0, 1)
    assert (a1.qa_external_evaluations, a1.qa_external_avg, a1.qa_external_fatal) == (1, 80.0, 2)
    assert (a1.qa_internal_nonfatal, a1.qa_external_nonfatal) == (2, 1)
    assert (a1.complaints_valid, a1.complaints_escalated) == (1, 1)


def test_hours_from_agent_states_clipped_to_the_local_month(rolled):
    _, _, month = rolled
    a1 = month.agents[0]
    # logged in 20:00 local 30 Sep .. 02:00 local 1 Oct: 2 h in October; 5 Oct 09:00-17:00: 8 h
    assert a1.logged_in_s == 10 * 3600 and a1.hours == 10.0


def test_catalogue_figures_equal_the_agent_report(rolled):
    store, settings, month = rolled
    by_agent = {r["agent_id"]: r for r in report(store, "2026-10-01", "2026-11-01", settings, by=("agent",))}
    a1 = month.agents[0]
    for key in ("aht_s", "acw_share", "asa_s", "fcr_rate", "transfer_rate", "fatal_error_share",
                "nonfatal_accuracy", "occupancy", "logged_in_s"):
        assert getattr(a1, key) == by_agent["a1"][key], key
    # c1: handle 100 + 20, c2: 200 + 40, c3: 300 + 30 -> 690 / 3 inbound contacts
    assert a1.aht_s == pytest.approx(230.0)


def test_catalogue_figures_worked_by_hand(rolled):
    _, _, month = rolled
    a1 = month.agents[0]
    # inbound c1, c2, c3: after-contact work 20 + 40 + 30 = 90 s of 690 s handled
    assert a1.acw_share == pytest.approx(90 / 690)
    # waits 10, 20, 5 s over 3 answered
    assert a1.asa_s == pytest.approx(35 / 3)
    # resolved c1, c3 of 3 disposed, no repeat contact; no transfer
    assert (a1.fcr_rate, a1.transfer_rate) == (pytest.approx(2 / 3), 0.0)
    # QA of October's inbound contacts: c1 (1 fatal), c2 (0), c3 (2 fatal) -> 2 of 3 evaluations with a fatal
    # error; 1 non-fatal error each of 10 opportunities -> 1 - 3/30 = 0.9
    assert (a1.fatal_error_share, a1.nonfatal_accuracy) == (pytest.approx(2 / 3), pytest.approx(0.9))
    # only available / logged_out states: no time on contacts -> occupancy 0 of 10 h logged in
    assert (a1.occupancy, a1.logged_in_s) == (0.0, 36000.0)


def test_agent_with_no_contacts_and_output_vs_team(rolled):
    _, _, month = rolled
    a1, a2, a3 = month.agents
    assert (a3.handled_total, a3.logged_in_s, a3.aht_s, a3.qa_internal_avg) == (0, 0.0, None, None)
    # team blue: a1 4, a3 0 -> average 2; a2 alone in the not-in-roster group
    assert (a1.output_vs_team, a3.output_vs_team, a2.output_vs_team) == (2.0, 0.0, 1.0)


def test_november_gets_the_contact_offered_after_local_midnight(store):
    ingest(store, october())
    month = monthly_rollup(store, Month(2026, 11), load_settings(tz="Asia/Shanghai"), ROSTER)
    assert [(a.agent_id, a.handled_total) for a in month.agents] == [("a1", 1), ("a3", 0)]


def test_september_keeps_the_hours_before_midnight_of_a_shift_into_october(store):
    ingest(store, october())
    month = monthly_rollup(store, Month(2026, 9), load_settings(tz="Asia/Shanghai"), ROSTER)
    # a1 logged in 20:00 local 30 Sep .. 02:00 local 1 Oct: 4 h are September's (2 h October's, above)
    assert {a.agent_id: a.logged_in_s for a in month.agents}["a1"] == 4 * 3600
