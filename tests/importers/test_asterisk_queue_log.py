"""Asterisk queue_log mapping: one hand-written case per event type and per version difference."""

from __future__ import annotations

import pytest

import orjson

from pipeline.core.decode import Accepted, decode
from pipeline.importers.asterisk_queue_log import BadLine, QueueLogMapper

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z
CALL = "1700000000.17"
CID = f"{CALL}@sales@{T0}"


def _run(*rows: str) -> tuple[list[dict], QueueLogMapper]:
    mapper = QueueLogMapper()
    events: list[dict] = []
    for row in rows:
        events.extend(mapper.feed(row))
    mapper.finish()
    for event in events:  # every event is valid under the contract
        assert isinstance(decode(orjson.dumps(event)), Accepted), event
    return events, mapper


def _enter(t: int = T0, call: str = CALL, queue: str = "sales", data: str = "||13800138000|1") -> str:
    return f"{t}|{call}|{queue}|NONE|ENTERQUEUE{data}"


def _timeline(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["type"], e["ts"]) for e in events]


def test_enterqueue_offers_a_voice_contact_with_the_caller_as_customer_key() -> None:
    (offered,), mapper = _run(_enter())
    assert offered == {"event_id": f"{CID}/offered", "type": "contact.offered", "ts": "2023-11-14T22:13:20.000Z",
                       "contact_id": CID, "channel": "voice", "queue": "sales", "direction": "inbound",
                       "customer_key": "13800138000"}
    assert mapper.summary.waiting_at_end == 1  # still queued at the end: offered, waiting


def test_enterqueue_older_rows_without_data_or_position_and_anonymous_callers() -> None:
    (bare,), _ = _run(_enter(data=""))  # 1.2-era row with no data fields at all
    (two,), _ = _run(_enter(data="||anonymous"))  # url|callerid without position
    assert "customer_key" not in bare and "customer_key" not in two
    assert bare["contact_id"] == CID


def test_connect_answers_at_enter_plus_holdtime_not_at_the_row_time() -> None:
    events, mapper = _run(_enter(), f"{T0 + 13}|{CALL}|sales|SIP/1001|CONNECT|12|1700000012.18|4")
    assert _timeline(events)[1] == ("contact.answered", "2023-11-14T22:13:32.000Z")  # T0 + 12, the row says +13
    assert events[1]["agent_id"] == "SIP/1001"
    assert mapper.summary.talking_at_end == 1 and mapper.summary.waiting_at_end == 0


def test_connect_older_versions_with_one_or_two_fields_and_agent_none() -> None:
    one, _ = _run(_enter(), f"{T0 + 9}|{CALL}|sales|NONE|CONNECT|9")  # 1.2: holdtime only; agent NONE
    two, _ = _run(_enter(), f"{T0 + 9}|{CALL}|sales|Agent/7|CONNECT|9|1700000009.3")  # 1.4: no ringtime
    assert one[1]["ts"] == two[1]["ts"] == "2023-11-14T22:13:29.000Z"
    assert one[1]["agent_id"] == "NONE"  # an agent NONE still answers


def test_connect_row_earlier_than_its_enterqueue_row_in_file_order() -> None:
    events, _ = _run(_enter(), f"{T0 - 1}|{CALL}|sales|SIP/1001|CONNECT|3|x|1")
    assert _timeline(events)[1] == ("contact.answered", "2023-11-14T22:13:23.000Z")


@pytest.mark.parametrize("event", ["COMPLETEAGENT", "COMPLETECALLER"])
def test_complete_ends_at_answer_plus_calltime_with_an_acw_zero_wrapup(event: str) -> None:
    events, mapper = _run(_enter(), f"{T0 + 12}|{CALL}|sales|SIP/1001|CONNECT|12|x|3",
                          f"{T0 + 101}|{CALL}|sales|SIP/1001|{event}|12|88|1")
    assert _timeline(events)[2:] == [("contact.ended", "2023-11-14T22:15:00.000Z"),  # T0 + 12 + 88
                                     ("contact.wrapup_completed", "2023-11-14T22:15:00.000Z")]
    assert events[3]["agent_id"] == "SIP/1001" and "disposition" not in events[3]
    assert mapper.calls == {} and mapper.summary.talking_at_end == 0


def test_complete_without_a_connect_row_answers_from_its_own_holdtime() -> None:
    events, _ = _run(_enter(), f"{T0 + 100}|{CALL}|sales|SIP/1001|COMPLETEAGENT|10|90|1")
    assert _timeline(events)[1:3] == [("contact.answered", "2023-11-14T22:13:30.000Z"),
                                      ("contact.ended", "2023-11-14T22:15:00.000Z")]


@pytest.mark.parametrize(("event", "data", "reason", "at"), [
    ("ABANDON", "3|1|25", "customer", "2023-11-14T22:13:45.000Z"),
    ("EXITWITHTIMEOUT", "2|1|300", "timeout", "2023-11-14T22:18:20.000Z"),
    ("EXITEMPTY", "1|1|4", "empty", "2023-11-14T22:13:24.000Z"),
    ("EXITWITHKEY", "5|2|1|40", "key", "2023-11-14T22:14:00.000Z"),
])
def test_queue_exits_abandon_with_their_reason_at_enter_plus_waittime(event: str, data: str, reason: str,
                                                                      at: str) -> None:
    events, mapper = _run(_enter(), f"{T0 + 999}|{CALL}|sales|NONE|{event}|{data}")
    assert events[1] == {"event_id": f"{CID}/abandoned", "type": "contact.abandoned", "ts": at, "contact_id": CID,
                         "reason": reason}
    assert mapper.summary.waiting_at_end == 0


def test_older_short_exitwithkey_falls_back_to_the_row_time() -> None:
    events, _ = _run(_enter(), f"{T0 + 7}|{CALL}|sales|NONE|EXITWITHKEY|5|2")  # key|position only
    assert _timeline(events)[1] == ("contact.abandoned", "2023-11-14T22:13:27.000Z")


@pytest.mark.parametrize(("row", "ended"), [
    ("TRANSFER|2001|from-internal|12|60|1", "2023-11-14T22:14:32.000Z"),
    ("TRANSFER|2001|from-internal|12|60", "2023-11-14T22:14:32.000Z"),  # the older 4-field row
    ("BLINDTRANSFER|2001|from-internal|12|60|1", "2023-11-14T22:14:32.000Z"),
    ("ATTENDEDTRANSFER|BRIDGE|1a2b3c|12|60|1", "2023-11-14T22:14:32.000Z"),
    ("ATTENDEDTRANSFER|LINK|SIP/1001-0001|SIP/2001-0002|12|60|1", "2023-11-14T22:14:32.000Z"),
])
def test_transfers_are_transferred_then_ended_with_the_calltime_they_carry(row: str, ended: str) -> None:
    events, _ = _run(_enter(), f"{T0 + 12}|{CALL}|sales|SIP/1001|CONNECT|12|x|3", f"{T0 + 80}|{CALL}|sales|SIP/1001|{row}")
    assert _timeline(events)[2:] == [("contact.transferred", ended), ("contact.ended", ended),
                                     ("contact.wrapup_completed", ended)]


def test_reentry_into_another_queue_is_a_new_contact() -> None:
    events, mapper = _run(_enter(), f"{T0 + 60}|{CALL}|sales|NONE|EXITWITHTIMEOUT|1|1|60",
                          _enter(T0 + 61, queue="support"), f"{T0 + 70}|{CALL}|support|SIP/9|CONNECT|9|y|2")
    assert [e["contact_id"] for e in events] == [CID, CID, f"{CALL}@support@{T0 + 61}", f"{CALL}@support@{T0 + 61}"]
    assert events[3]["ts"] == "2023-11-14T22:14:30.000Z"  # T0 + 61 + 9


def test_ringnoanswer_and_ringcanceled_change_no_contact() -> None:
    events, mapper = _run(_enter(), f"{T0 + 15}|{CALL}|sales|SIP/1001|RINGNOANSWER|15000",
                          f"{T0 + 16}|{CALL}|sales|SIP/1002|RINGCANCELED|1000")
    assert [e["type"] for e in events] == ["contact.offered"]
    assert mapper.summary.skipped == {"RINGNOANSWER": 1, "RINGCANCELED": 1}


@pytest.mark.parametrize(("row", "state", "reason"), [
    ("NONE|sales|SIP/1001|PAUSE|Lunch", "not_ready", "Lunch"),
    ("NONE|sales|SIP/1001|PAUSE", "not_ready", None),  # older: no reason field
    ("NONE|NONE|SIP/1001|PAUSEALL", "not_ready", None),
    ("NONE|sales|SIP/1001|UNPAUSE|", "available", None),
    ("NONE|NONE|SIP/1001|UNPAUSEALL", "available", None),
    ("NONE|sales|SIP/1001|ADDMEMBER|", "available", None),
    ("NONE|sales|SIP/1001|REMOVEMEMBER|", "logged_out", None),
    ("NONE|NONE|Agent/1001|AGENTLOGIN|SIP/1001-0001", "available", None),
    ("NONE|NONE|Agent/1001|AGENTLOGOFF|SIP/1001-0001|3600", "logged_out", None),
])
def test_member_and_pause_rows_are_agent_states(row: str, state: str, reason: str | None) -> None:
    (event,), _ = _run(f"{T0}|{row}")
    assert (event["type"], event["state"], event.get("reason")) == ("agent.state", state, reason)
    assert event["event_id"].startswith("aq-") and event["ts"] == "2023-11-14T22:13:20.000Z"


def test_queue_none_and_non_call_events_never_become_contacts() -> None:
    events, mapper = _run(f"{T0}|NONE|NONE|NONE|QUEUESTART|", f"{T0}|NONE|NONE|NONE|CONFIGRELOAD|",
                          f"{T0}|1700000000.2|NONE|Agent/5|AGENTCALLBACKLOGIN|1005@from-internal",
                          f"{T0}|1700000000.3|sales|SIP/1001|OUTDIAL|1|2")
    assert events == [] and sum(mapper.summary.skipped.values()) == 4


@pytest.mark.parametrize(("row", "reason"), [
    ("1700000000|x|sales", "too_few_fields"),
    ("soon|x|sales|NONE|ENTERQUEUE||1", "bad_epoch"),
    (f"{T0}|{CALL}|sales|NONE|VENDORTHING|1", "unknown_event"),
    (f"{T0}|other.call|sales|SIP/1|CONNECT|4", "no_enterqueue"),
    (f"{T0}|NONE|sales|NONE|ENTERQUEUE||1", "no_call"),
])
def test_bad_rows_are_refused_with_a_reason_and_counted(row: str, reason: str) -> None:
    mapper = QueueLogMapper()
    with pytest.raises(BadLine) as refused:
        mapper.feed(row)
    assert refused.value.reason == reason
    assert mapper.summary.dead == {reason: 1}


def test_bad_duration_field_is_refused_and_leaves_the_call_open() -> None:
    mapper = QueueLogMapper()
    mapper.feed(_enter())
    with pytest.raises(BadLine, match="holdtime 'soon'"):
        mapper.feed(f"{T0 + 5}|{CALL}|sales|SIP/1|CONNECT|soon")
    with pytest.raises(BadLine, match="calltime"):
        mapper.feed(f"{T0 + 5}|{CALL}|sales|SIP/1|COMPLETEAGENT|5")
    assert CALL in mapper.calls


def test_a_repeated_line_is_skipped_and_ids_come_from_the_lines() -> None:
    rows = [_enter(), f"{T0 + 12}|{CALL}|sales|SIP/1001|CONNECT|12|x|3", f"{T0 + 101}|{CALL}|sales|SIP/1001|COMPLETEAGENT|12|88|1"]
    once, _ = _run(*rows)
    overlapped, mapper = _run(*rows, *rows[1:])  # two rotated files sharing their tail
    assert overlapped == once and mapper.summary.skipped == {"duplicate_line": 2}
    again, _ = _run(*rows)  # a second import of the same file: the same ids, so replay drops them as duplicates
    assert [e["event_id"] for e in again] == [e["event_id"] for e in once]


def test_open_calls_survive_a_checkpoint_round_trip() -> None:
    first = QueueLogMapper(remember_lines=False)
    first.feed(_enter())
    first.feed(f"{T0 + 12}|{CALL}|sales|SIP/1001|CONNECT|12|x|3")
    resumed = QueueLogMapper(remember_lines=False)
    resumed.restore(orjson.loads(orjson.dumps(first.open_calls())))
    (ended, _) = resumed.feed(f"{T0 + 101}|{CALL}|sales|SIP/1001|COMPLETEAGENT|12|88|1")
    assert ended["ts"] == "2023-11-14T22:15:00.000Z" and ended["contact_id"] == CID
