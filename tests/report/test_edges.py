"""Edge cases of attribution: midnight, month ends in the centre's zone, late and repeated events, agents."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pipeline.core.intervals import parse_instant
from pipeline.report.build import ReportRequest, build
from pipeline.settings import load_settings
from tests.fixtures.events import abandoned, answered_call, event, offered
from tests.fixtures.stores import ingest, report

# 2026-11-02 23:59:50 in Asia/Shanghai
BEFORE_MIDNIGHT = datetime(2026, 11, 2, 15, 59, 50, tzinfo=timezone.utc)


def test_contact_offered_before_midnight_counts_on_the_day_it_was_offered(store):
    ingest(store, [
        event("contact.offered", 0, BEFORE_MIDNIGHT, contact_id="late", queue="billing", channel="voice"),
        event("contact.answered", 40, BEFORE_MIDNIGHT, contact_id="late", agent_id="a1"),  # 00:00:30 next day
        event("contact.ended", 100, BEFORE_MIDNIGHT, contact_id="late"),
    ])
    rows = report(store, "2026-11-02", "2026-11-04", by=("interval",), interval="1d")
    assert [r["interval_start"] for r in rows] == ["2026-11-02T00:00:00+08:00"]
    assert rows[0]["answered"] == 1 and rows[0]["answered_within_sl"] == 0  # waited 40 s
    assert rows[0]["asa_s"] == pytest.approx(40)


def test_month_boundary_in_the_centres_zone(store):
    # 2026-10-31T16:30Z is 2026-11-01 00:30 in Asia/Shanghai: a November contact
    nov_first = datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc)
    oct_last = datetime(2026, 10, 31, 15, 30, tzinfo=timezone.utc)  # 23:30 on 31 October, local
    ingest(store, [event("contact.offered", 0, nov_first, contact_id="nov", queue="billing", channel="voice"),
                   event("contact.offered", 0, oct_last, contact_id="oct", queue="billing", channel="voice")])
    (november,) = report(store, "2026-11-01", "2026-12-01")
    (october,) = report(store, "2026-10-01", "2026-11-01")
    assert november["offered"] == 1 and october["offered"] == 1
    (utc_october,) = report(store, "2026-10-01T00:00Z", "2026-11-01T00:00Z")
    assert utc_october["offered"] == 2  # in UTC both fall in October


def test_intervals_of_fifteen_minutes_follow_the_offered_time(store):
    ingest(store, [*answered_call("i1", 0, 10, 60, 5), *answered_call("i2", 899, 10, 60, 5),
                   *answered_call("i3", 900, 10, 60, 5)])
    rows = report(store, "2026-11-02", "2026-11-03", by=("queue", "interval"), interval="15m")
    assert [(r["interval_start"], r["offered"]) for r in rows] == [
        ("2026-11-02T09:00:00+08:00", 2), ("2026-11-02T09:15:00+08:00", 1)]


def test_late_survey_in_a_second_replay_updates_the_contacts_interval(store):
    ingest(store, answered_call("s1", 0, 5, 60, 5))
    ingest(store, [event("survey.csat", 3 * 86_400, contact_id="s1", score=4)])  # three days later
    (row,) = report(store, "2026-11-02", "2026-11-03")
    assert row["csat_responses"] == 1 and row["csat_avg"] == 4
    assert row["offered"] == 1  # the contact itself is not counted twice


def test_answer_before_offer_and_duplicates(store):
    call = answered_call("o1", 0, 12, 60, 5)
    shuffled = [call[2], call[1], call[3], call[0], call[1], call[0]]  # ended, answered, wrap-up, offered + repeats
    intake = ingest(store, shuffled)
    assert intake.counts.duplicates == 2
    (row,) = report(store, "2026-11-02", "2026-11-03")
    assert (row["offered"], row["answered"], row["asa_s"], row["aht_s"]) == (1, 1, 12.0, 65.0)


def test_contact_split_over_two_batches_merges_with_the_store(store):
    call = answered_call("b1", 0, 20, 100, 10)
    ingest(store, call[:2])
    ingest(store, call[2:])
    ingest(store, call)  # and the whole contact again: nothing changes
    (row,) = report(store, "2026-11-02", "2026-11-03")
    assert (row["offered"], row["asa_s"], row["aht_s"]) == (1, 20.0, 110.0)


def test_agent_metrics_from_states(store):
    def state(t: float, name: str, agent: str = "a1") -> dict:
        return event("agent.state", t, agent_id=agent, state=name)

    ingest(store, [
        state(-3600, "available"),  # before the range: the agent is available at 09:00 local
        *answered_call("g1", 0, 10, 290, 60),  # on contact 10..300, wrap-up until 360
        state(10, "on_contact"), state(300, "after_contact_work"), state(360, "available"),
        state(1800, "not_ready"), state(2400, "available"), state(3600, "logged_out"),
        state(0, "available", "a2"),  # a2 never changes again: an open state counts nothing yet
    ])
    rows = report(store, "2026-11-02T09:00", "2026-11-02T12:00", by=("agent",))
    (a1,) = rows
    # in range 09:00-10:00: available 10 + (1800-360) + (3600-2400) = 2650 s; handling 350 s; not ready 600 s
    assert a1["handled"] == 1
    assert a1["logged_in_s"] == pytest.approx(3600)
    assert a1["occupancy"] == pytest.approx(350 / (350 + 2650))


def test_agent_time_splits_at_interval_boundaries(store):
    ingest(store, [event("agent.state", 600, agent_id="a1", state="available"),
                   event("agent.state", 1200, agent_id="a1", state="logged_out")])  # 09:10 .. 09:20
    rows = report(store, "2026-11-02T09:00", "2026-11-02T10:00", by=("agent", "interval"), interval="15m")
    assert [(r["interval_start"][11:16], r["logged_in_s"]) for r in rows] == [("09:00", 300.0), ("09:15", 300.0)]


def test_queue_filter(store):
    ingest(store, [*answered_call("f1", 0, 5, 60, 5), *answered_call("f2", 0, 5, 60, 5, queue="sales"),
                   offered("f3", 0, "sales"), abandoned("f3", 40)])
    rows = report(store, "2026-11-02", "2026-11-03", queues=("sales",))
    assert [(r["queue"], r["offered"]) for r in rows] == [("sales", 2)]
    (everything,) = report(store, "2026-11-02", "2026-11-03", by=("channel",))
    assert everything["offered"] == 3 and everything["channel"] == "voice"


def test_totals_row_is_exact_whatever_order_the_groups_come_in(store):
    # ten agents each scored 0.1 on one call: adding the groups' float sums one by one gives
    # 0.9999999999999999, so the totals row of --by agent would differ from --by total (CI saw it once)
    events = []
    for i in range(10):
        events += answered_call(f"c{i}", 60 * i, 5, 60, agent=f"a{i}")
        events.append(event("qa.evaluated", 60 * i + 100, contact_id=f"c{i}", agent_id=f"a{i}", score=0.1,
                            fatal_errors=0, nonfatal_errors=0, opportunities=1))
    ingest(store, events)
    settings = load_settings()
    start, end = (parse_instant(day, settings.zone) for day in ("2026-11-01", "2026-11-30"))
    by_agent = build(store, ReportRequest(start, end, by=("agent",)), settings)
    (total,) = build(store, ReportRequest(start, end, by=()), settings).rows
    assert by_agent.total["qa_avg"] == total["qa_avg"] == 1.0 / 10
    assert [row["qa_avg"] for row in by_agent.rows] == [0.1] * 10
