"""The live agent grid and agent time from every source: on a contact while a call is answered and not ended,
in wrap-up until it completes, own changes of one second in source order (both engines; hand-worked).

Times: T = 2026-11-02 09:00:00 Asia/Shanghai = 01:00:00 UTC = epoch 1793581200.
"""

from __future__ import annotations

import pytest

from pipeline.importers.amazon_connect import CtrSummary, convert_record
from pipeline.importers.asterisk_queue_log import QueueLogMapper
from pipeline.importers.freeswitch_callcenter import CallcenterMapper, parse_agent_list
from pipeline.store import live, reads
from pipeline.store.store import Store
from tests.fixtures import freeswitch as fs
from tests.fixtures.events import answered, ended, event, offered, wrapup
from tests.fixtures.stores import ingest, report

T = 1793581200


def grid(store: Store, seconds: float) -> dict[str, tuple[str, str, float]]:
    """agent -> (state, reason, since as seconds after T) at T + seconds, as /api/live shows it."""
    return {a.agent_id: (a.state, a.reason, (a.since_ms - T * 1000) / 1000)
            for a in live.agent_states(store, int((T + seconds) * 1000))}


QUEUE_LOG = [
    f"{T}|NONE|billing|Agent/1001|ADDMEMBER|",
    f"{T}|NONE|billing|Agent/1002|ADDMEMBER|",
    f"{T}|NONE|billing|Agent/1002|PAUSE|lunch",  # the same second as the ADDMEMBER before it: the pause wins
    f"{T + 10}|c1|billing|NONE|ENTERQUEUE||13800138000|1",
    f"{T + 15}|c1|billing|Agent/1001|CONNECT|5|b1|3",
    f"{T + 75}|c1|billing|Agent/1001|COMPLETECALLER|5|60|1",
    f"{T + 100}|NONE|billing|Agent/1001|REMOVEMEMBER|",
]


def test_queue_log_an_agent_on_a_call_is_on_contact_and_a_pause_of_the_same_second_wins(store: Store) -> None:
    mapper = QueueLogMapper()
    ingest(store, [e for line in QUEUE_LOG for e in mapper.feed(line)])
    # T+5: 1001 added (available since T), 1002 added and paused in the same second (not ready, lunch)
    assert grid(store, 5) == {"Agent/1001": ("available", "", 0), "Agent/1002": ("not_ready", "lunch", 0)}
    # T+20: answered at T+10 + holdtime 5 = T+15, so on the contact since T+15
    assert grid(store, 20)["Agent/1001"] == ("on_contact", "", 15)
    # T+74: still talking (calltime 60 from T+15 ends at T+75)
    assert grid(store, 74)["Agent/1001"] == ("on_contact", "", 15)
    # T+75: the call ended; queue_log has no wrap-up (ACW 0): available again since T+75
    assert grid(store, 75)["Agent/1001"] == ("available", "", 75)
    # T+100: removed, off the grid
    assert "Agent/1001" not in grid(store, 100)
    assert reads.agents_by_state(store, (T + 20) * 1000) == {"on_contact": 1, "not_ready": 1}


def test_queue_log_occupancy_counts_the_call_as_handling(store: Store) -> None:
    mapper = QueueLogMapper()
    ingest(store, [e for line in QUEUE_LOG for e in mapper.feed(line)])
    rows = {r["agent_id"]: r for r in report(store, "2026-11-02T09:00", "2026-11-02T09:05", by=("agent",))}
    # 1001: available T..T+15 and T+75..T+100 (40 s), on the call T+15..T+75 (60 s): logged in 100 s,
    # occupancy 60 / (60 + 40) = 0.6 (it was 0 before: queue_log writes no state for a call)
    assert (rows["Agent/1001"]["logged_in_s"], rows["Agent/1001"]["occupancy"]) == (100, pytest.approx(0.6))


def test_contract_events_on_contact_then_wrap_up_and_sequence_beats_event_id(store: Store) -> None:
    events = [
        event("agent.state", 0, agent_id="a1", state="available"),
        offered("k1", 10), answered("k1", 20, agent="a1"), ended("k1", 80), wrapup("k1", 110, agent="a1"),
        # a2: two changes in the same millisecond; the ids sort against the source order
        {**event("agent.state", 0, agent_id="a2", state="available", seq=1), "event_id": "zz"},
        {**event("agent.state", 0, agent_id="a2", state="not_ready", reason="training", seq=2), "event_id": "aa"},
    ]
    ingest(store, events)
    assert grid(store, 19)["a1"] == ("available", "", 0)
    assert grid(store, 20)["a1"] == ("on_contact", "", 20)
    assert grid(store, 90)["a1"] == ("after_contact_work", "", 80)  # ended at 80, wrap-up until 110
    assert grid(store, 110)["a1"] == ("available", "", 110)
    assert grid(store, 5)["a2"] == ("not_ready", "training", 0)
    rows = {r["agent_id"]: r for r in report(store, "2026-11-02T09:00", "2026-11-02T09:02", by=("agent",))}
    # a1 over 09:00-09:02 (the last state, available from 110 s, is open: counts nothing):
    # available 0-20 (20 s), on contact 20-80 (60 s), wrap-up 80-110 (30 s) -> logged in 110, occupancy 90/110
    assert (rows["a1"]["logged_in_s"], rows["a1"]["occupancy"]) == (110, pytest.approx(90 / 110))


def test_contact_records_with_no_agent_states_still_show_the_agent_on_the_contact(store: Store) -> None:
    record = {
        "ContactId": "ctr-1", "Channel": "VOICE", "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2026-11-02T00:59:50Z", "DisconnectTimestamp": "2026-11-02T01:03:00Z",
        "LastUpdateTimestamp": "2026-11-02T01:04:00Z",
        "Queue": {"Name": "billing", "EnqueueTimestamp": "2026-11-02T01:00:00Z",
                  "DequeueTimestamp": "2026-11-02T01:00:20Z", "Duration": 20},
        "Agent": {"Username": "li.na", "ConnectedToAgentTimestamp": "2026-11-02T01:00:21Z",
                  "AfterContactWorkStartTimestamp": "2026-11-02T01:03:00Z",
                  "AfterContactWorkEndTimestamp": "2026-11-02T01:03:45Z", "AfterContactWorkDuration": 45},
    }
    ingest(store, convert_record(record, CtrSummary()))
    # answered at enqueue + Queue.Duration = T+20; ended at the ACW start T+180; wrap-up until T+225
    assert grid(store, 10) == {}
    assert grid(store, 60) == {"li.na": ("on_contact", "", 20)}
    assert grid(store, 200) == {"li.na": ("after_contact_work", "", 180)}
    assert grid(store, 225) == {}  # no agent state in contact records: unknown after the wrap-up, off the grid
    rows = {r["agent_id"]: r for r in report(store, "2026-11-02T09:00", "2026-11-02T09:05", by=("agent",))}
    # 160 s on the contact + 45 s wrap-up = 205 s handling, all of its known time: occupancy 1
    assert (rows["li.na"]["logged_in_s"], rows["li.na"]["occupancy"]) == (205, 1)



def test_freeswitch_on_contact_from_the_bridge_wrap_up_from_the_agent_list_and_sequence_beats_event_id(
        store: Store) -> None:
    """The day of tests/fixtures/freeswitch.py (T is its T too), plus two status changes of 1002 in one
    microsecond whose ids sort against the switch's order: ``fs/<core>/10000`` < ``fs/<core>/9999``."""
    assert fs.T == T
    wraps, _ = parse_agent_list(fs.AGENT_LIST)
    mapper = CallcenterMapper(wraps)
    events = [e for headers in fs.esl_events() for e in mapper.feed(headers)]
    sequence = fs.Sequence()
    sequence.n = 9998
    for status in ("On Break", "Available"):  # Event-Sequence 9999, then 10000, both at T+30.000000
        events += mapper.feed({**sequence.core(T + 30), "CC-Action": "agent-status-change",
                               "CC-Agent": "1002@default", "CC-Agent-Status": status})
    ingest(store, events)
    # T+20: 1001 on m1 since its bridge at T+10; 1002 available since its login before the day (T-60)
    assert grid(store, 20) == {"1001@default": ("on_contact", "", 10), "1002@default": ("available", "", -60)}
    # T+45: 1002's later change of the same microsecond wins (by Event-Sequence, not by event id)
    assert grid(store, 45)["1002@default"] == ("available", "", 30)
    # T+75: m1 ended at T+70, 1001's wrap_up_time (agent list) is 10 s: wrap-up until T+80; 1002 on m2 since T+60
    assert grid(store, 75) == {"1001@default": ("after_contact_work", "", 70), "1002@default": ("on_contact", "", 60)}
    assert grid(store, 80)["1001@default"] == ("available", "", 80)
