"""Every metric of docs/design.md section 3 on small hand-worked cases, through the store.

Each expectation is worked out by hand in the comment above it; the events go
through the same chain as ``cckpi replay`` and the numbers come back from
``cckpi report``'s builder, on chDB and (integration run) ClickHouse server.
"""

from __future__ import annotations

import pytest

from pipeline.settings import QueueSettings, load_settings
from tests.fixtures.events import abandoned, answered, answered_call, ended, event, offered, wrapup
from tests.fixtures.stores import ingest, report

DAY = ("2026-11-02", "2026-11-03")


def sl_day() -> list[dict]:
    """10 offered: answered after 5,10,20,30,30,0 and 45 s; abandoned after 3 (short), 20 and 60 s."""
    events = []
    for i, wait in enumerate([5, 10, 20, 30, 30, 0, 45]):
        events += answered_call(f"ans{i}", i * 100, wait, 60, 10)
    for i, wait in enumerate([3, 20, 60]):
        events += [offered(f"ab{i}", 1000 + i * 100), abandoned(f"ab{i}", 1000 + i * 100 + wait)]
    return events


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("exclude_short", 6 / 9),  # 6 within 30 s / (10 offered - 1 short abandon)
        ("count_against", 6 / 10),  # 6 / 10 offered
        ("ignore", 6 / 8),  # 6 / (10 - 2 abandoned within 30 s)
        ("count_as_met", 8 / 10),  # (6 + 2 abandoned within 30 s) / 10
    ],
)
def test_service_level_in_every_abandon_mode(store, mode, expected):
    ingest(store, sl_day())
    settings = load_settings(queues={"billing": QueueSettings(sl_abandon_mode=mode)})
    (row,) = report(store, *DAY, settings)
    assert row["service_level"] == pytest.approx(expected)
    assert row["sl_abandon_mode"] == mode


def test_counts_short_abandons_abandon_rate_and_asa(store):
    ingest(store, sl_day())
    (row,) = report(store, *DAY)
    assert (row["offered"], row["answered"], row["abandoned"]) == (10, 7, 3)
    assert row["short_abandoned"] == 1  # only the 3 s abandon is under 5 s
    assert row["answered_within_sl"] == 6  # 30 s counts (<=), 45 s does not
    assert row["abandon_rate"] == pytest.approx(2 / 9)  # (3 - 1) / (10 - 1)
    assert row["asa_s"] == pytest.approx(140 / 7)  # (5+10+20+30+30+0+45) / 7 answered


def test_per_queue_thresholds_come_from_settings(store):
    ingest(store, sl_day())
    settings = load_settings(queues={"billing": QueueSettings(sl_threshold_s=20, short_abandon_s=10)})
    (row,) = report(store, *DAY, settings)
    assert row["answered_within_sl"] == 4  # 5, 10, 20, 0
    assert row["short_abandoned"] == 1  # 3 s only; 20 s is not < 10
    assert row["service_level"] == pytest.approx(4 / 9)


def test_handle_time_with_holds_and_wrapup(store):
    events = [
        # A: answered at 10, hold 60..90, ended 310, wrap-up done 340
        #    talk = 310 - 10 - 30 = 270, hold 30, acw 30, handle 330
        offered("A", 0), answered("A", 10), event("contact.hold_started", 60, contact_id="A"),
        event("contact.hold_ended", 90, contact_id="A"), ended("A", 310), wrapup("A", 340),
        # B: answered at 0 (offered 0), ended 100, wrap-up 160: talk 100, hold 0, acw 60, handle 160
        *answered_call("B", 0, 0, 100, 60),
        # C: answered and ended but no wrap-up yet: not in the AHT population
        *answered_call("C", 0, 0, 500),
        # D: hold never ended, closed at ended: answered 0, hold from 50, ended 100 -> hold 50, talk 50;
        #    wrap-up at 120 -> acw 20, handle 120
        offered("D", 0), answered("D", 0), event("contact.hold_started", 50, contact_id="D"), ended("D", 100),
        wrapup("D", 120),
    ]
    ingest(store, events)
    (row,) = report(store, *DAY)
    assert row["aht_s"] == pytest.approx((330 + 160 + 120) / 3)
    assert row["avg_talk_s"] == pytest.approx((270 + 100 + 50) / 3)
    assert row["avg_hold_s"] == pytest.approx((30 + 0 + 50) / 3)
    assert row["avg_acw_s"] == pytest.approx((30 + 60 + 20) / 3)
    assert row["acw_share"] == pytest.approx(110 / 610)


def test_chat_first_response_time(store):
    events = []
    # first agent messages 10, 20, 12, 30 s after offer; a customer message at 2 s does not count
    for cid, first in (("c1", 10), ("c2", 20), ("c3", 12), ("c4", 30)):
        events += [offered(cid, 0, "webchat", "chat"), answered(cid, 1),
                   event("contact.message", 2, contact_id=cid, sender="customer"),
                   event("contact.message", first, contact_id=cid, sender="agent"),
                   event("contact.message", first + 40, contact_id=cid, sender="agent")]
    events += [offered("c5", 0, "webchat", "chat"), abandoned("c5", 50)]  # never got a response
    ingest(store, events)
    (row,) = report(store, *DAY)
    assert row["frt_avg_s"] == pytest.approx(18.0)  # (10+20+12+30)/4
    # p90, linear between closest ranks: sorted 10,12,20,30; rank 0.9*3 = 2.7 -> 20 + 0.7*10
    assert row["frt_p90_s"] == pytest.approx(27.0)
    assert row["frt_within_target_rate"] == pytest.approx(0.5)  # 10 and 12 <= 15


def test_transfer_rate(store):
    events = []
    for cid in ("t1", "t2", "t3", "t4"):
        events += answered_call(cid, 0, 5, 60, 5)
    events.append(event("contact.transferred", 30, contact_id="t2", to_queue="sales"))
    events += [offered("t5", 0), abandoned("t5", 50)]
    ingest(store, events)
    (row,) = report(store, *DAY)
    assert row["transfer_rate"] == pytest.approx(1 / 4)  # transferred / answered (the abandon is not answered)


def test_first_contact_resolution_with_repeats_inside_and_outside_the_window(store):
    day = 86_400
    events = [
        # customer X: resolved on day 0 but calls again on day 3 -> not resolved first time
        *answered_call("X1", 0, 5, 60, 5, disposition="resolved", customer_key="X"),
        *answered_call("X2", 3 * day, 5, 60, 5, disposition="resolved", customer_key="X"),  # FCR
        # customer Y: calls again after 8 days, outside the 7-day window -> both FCR
        *answered_call("Y1", 100, 5, 60, 5, disposition="resolved", customer_key="Y"),
        *answered_call("Y2", 8 * day + 100, 5, 60, 5, disposition="resolved", customer_key="Y"),
        *answered_call("Z", 200, 5, 60, 5, disposition="unresolved", customer_key="Z"),  # in the denominator
        *answered_call("W", 300, 5, 60, 5, customer_key="W"),  # no disposition: not counted at all
    ]
    ingest(store, events)
    (row,) = report(store, "2026-11-02", "2026-11-12")
    assert row["fcr_rate"] == pytest.approx(3 / 5)  # X2, Y1, Y2 of X1, X2, Y1, Y2, Z


def test_a_repeat_in_another_queue_and_channel_breaks_fcr(store):
    events = [
        *answered_call("P1", 0, 5, 60, 5, disposition="resolved", customer_key="P"),
        offered("P2", 3600, "webchat", "chat", customer_key="P"), abandoned("P2", 3700),
    ]
    ingest(store, events)
    rows = {r["queue"]: r for r in report(store, *DAY)}
    assert rows["billing"]["fcr_rate"] == 0.0


def test_csat_and_nps(store):
    events = []
    for i, (csat, nps) in enumerate([(5, 10), (4, 9), (3, 8), (1, 7), (5, 6), (None, 0)]):
        events += answered_call(f"s{i}", i * 10, 5, 60, 5)
        if csat is not None:
            events.append(event("survey.csat", 500, contact_id=f"s{i}", score=csat))
        events.append(event("survey.nps", 500, contact_id=f"s{i}", score=nps))
    ingest(store, events)
    (row,) = report(store, *DAY)
    assert row["csat_avg"] == pytest.approx(18 / 5)  # 5+4+3+1+5
    assert row["csat_top2box"] == pytest.approx(3 / 5)  # 5, 4, 5
    assert row["csat_responses"] == 5
    assert row["nps"] == pytest.approx(0.0)  # promoters 10, 9; detractors 6, 0: 100 * (2 - 2) / 6


def test_nps_positive(store):
    events = []
    for i, score in enumerate([10, 10, 9, 7]):
        events += answered_call(f"n{i}", i, 5, 60, 5)
        events.append(event("survey.nps", 900, contact_id=f"n{i}", score=score))
    ingest(store, events)
    (row,) = report(store, *DAY)
    assert row["nps"] == pytest.approx(75.0)  # 100 * (3 - 0) / 4


def test_complaints_and_quality(store):
    events = [*answered_call("q1", 0, 5, 60, 5), *answered_call("q2", 10, 5, 60, 5),
              *answered_call("q3", 20, 5, 60, 5), *answered_call("q4", 30, 5, 60, 5)]
    events += [
        event("complaint.filed", 900, agent_id="a1", contact_id="q1", valid=True, escalated=True),
        event("complaint.filed", 900, agent_id="a1", contact_id="q2", valid=True, escalated=False),
        event("complaint.filed", 900, agent_id="a1", contact_id="q3", valid=False, escalated=False),
        # QA: scores 90, 80; one with a fatal error; non-fatal 2 + 3 of 10 + 10 opportunities
        event("qa.evaluated", 5000, contact_id="q1", agent_id="a1", score=90, fatal_errors=0, nonfatal_errors=2,
              opportunities=10),
        event("qa.evaluated", 5000, contact_id="q2", agent_id="a1", score=80, fatal_errors=1, nonfatal_errors=3,
              opportunities=10, source="external"),
    ]
    ingest(store, events)
    (row,) = report(store, *DAY)
    assert row["complaint_rate"] == pytest.approx(2 / 4)  # valid complaints / answered
    assert row["escalated_complaint_rate"] == pytest.approx(1 / 4)
    assert row["qa_avg"] == pytest.approx(85.0)
    assert row["fatal_error_share"] == pytest.approx(1 / 2)
    assert row["nonfatal_accuracy"] == pytest.approx(1 - 5 / 20)


def test_empty_denominators_are_null(store):
    ingest(store, [offered("e1", 0), abandoned("e1", 2), offered("e2", 10)])  # a short abandon, one waiting
    (row,) = report(store, *DAY)
    assert row["offered"] == 2 and row["waiting"] == 1
    for key in ("asa_s", "aht_s", "avg_talk_s", "acw_share", "frt_avg_s", "frt_p90_s", "frt_within_target_rate",
                "transfer_rate", "fcr_rate", "csat_avg", "csat_top2box", "nps", "complaint_rate",
                "escalated_complaint_rate", "qa_avg", "fatal_error_share", "nonfatal_accuracy"):
        assert row[key] is None, key
    assert row["service_level"] == pytest.approx(0.0)  # 0 within SL / (2 - 1 short)
    ingest(store, [offered("only-short", 0, "sales"), abandoned("only-short", 1)])
    sales = [r for r in report(store, *DAY) if r["queue"] == "sales"][0]
    assert sales["service_level"] is None and sales["abandon_rate"] is None  # 1 offered - 1 short = 0


def test_outbound_contacts_are_not_queue_metrics(store):
    ingest(store, [*answered_call("in", 0, 5, 60, 5), *answered_call("out", 0, 0, 200, 5, direction="outbound")])
    (inbound,) = report(store, *DAY)
    (outbound,) = report(store, *DAY, direction="outbound")
    assert inbound["offered"] == 1 and inbound["aht_s"] == pytest.approx(65)  # talk 60 + acw 5
    assert outbound["offered"] == 1 and outbound["aht_s"] == pytest.approx(205)
