"""Amazon Connect contact records: mapping per field, dedupe across files, file shapes, bad input, report."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from pipeline.cli.import_records import import_records
from pipeline.core.decode import Accepted, decode
from pipeline.core.pseudonym import pseudonymiser
from pipeline.importers.amazon_connect import CtrSummary, convert_record
from pipeline.importers.ctr_import import import_ctr
from pipeline.ingest.batch import replay
from pipeline.settings import load_settings
from tests.fixtures.stores import TEST_KEY, report


def ctr(contact_id: str = "c-1", **over: object) -> dict:
    """A complete answered inbound voice record (2025-11-02 09:00 Asia/Shanghai), hand-written."""
    record: dict = {
        "ContactId": contact_id, "Channel": "VOICE", "InitiationMethod": "INBOUND",
        "InitiationTimestamp": "2025-11-02T00:59:50Z", "DisconnectTimestamp": "2025-11-02T01:03:00Z",
        "LastUpdateTimestamp": "2025-11-02T01:04:00Z",
        "CustomerEndpoint": {"Address": "+8613800138000", "Type": "TELEPHONE_NUMBER"},
        "Queue": {"Name": "billing", "EnqueueTimestamp": "2025-11-02T01:00:00Z",
                  "DequeueTimestamp": "2025-11-02T01:00:20Z", "Duration": 20},
        "Agent": {"Username": "li.na", "ConnectedToAgentTimestamp": "2025-11-02T01:00:21Z",
                  "CustomerHoldDuration": 30, "AgentInteractionDuration": 159,
                  "AfterContactWorkStartTimestamp": "2025-11-02T01:03:00Z",
                  "AfterContactWorkEndTimestamp": "2025-11-02T01:03:45Z", "AfterContactWorkDuration": 45},
    }
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(record.get(key), dict):
            record[key] = {**record[key], **value}
        else:
            record[key] = value
    return {k: v for k, v in record.items() if v is not None}


def _events(record: dict) -> list[tuple[str, str]]:
    events = convert_record(record, CtrSummary())
    assert all(isinstance(decode(orjson.dumps(e)), Accepted) for e in events)
    return [(e["type"], e["ts"]) for e in events]


def test_answered_record_maps_every_moment() -> None:
    assert _events(ctr()) == [
        ("contact.offered", "2025-11-02T01:00:00.000Z"),
        ("contact.answered", "2025-11-02T01:00:20.000Z"),  # enqueue + Queue.Duration 20 (connected says :21)
        ("contact.hold_started", "2025-11-02T01:00:20.000Z"),
        ("contact.hold_ended", "2025-11-02T01:00:50.000Z"),  # CustomerHoldDuration 30
        ("contact.ended", "2025-11-02T01:03:00.000Z"),  # AfterContactWorkStartTimestamp
        ("contact.wrapup_completed", "2025-11-02T01:03:45.000Z"),  # + AfterContactWorkDuration 45
    ]
    offered = convert_record(ctr(), CtrSummary())[0]
    assert offered["queue"] == "billing" and offered["channel"] == "voice" and offered["direction"] == "inbound"
    assert offered["customer_key"] == "+8613800138000" and offered["contact_id"] == "c-1"


def test_chat_outbound_and_no_acw() -> None:
    record = ctr(Channel="CHAT", InitiationMethod="OUTBOUND",
                 Agent={"AfterContactWorkStartTimestamp": None, "AfterContactWorkEndTimestamp": None,
                        "AfterContactWorkDuration": None, "CustomerHoldDuration": 0})
    record["Agent"] = {k: v for k, v in record["Agent"].items() if v is not None}
    events = convert_record(record, CtrSummary())
    assert (events[0]["channel"], events[0]["direction"]) == ("chat", "outbound")
    assert [(e["type"], e["ts"]) for e in events[2:]] == [
        ("contact.ended", "2025-11-02T01:03:00.000Z"),  # DisconnectTimestamp
        ("contact.wrapup_completed", "2025-11-02T01:03:00.000Z"),  # ACW 0
    ]


def test_queued_never_connected_is_abandoned_after_queue_duration() -> None:
    record = ctr(Agent=None, Queue={"Duration": 47, "DequeueTimestamp": "2025-11-02T01:00:47Z"})
    assert _events(record) == [("contact.offered", "2025-11-02T01:00:00.000Z"),
                               ("contact.abandoned", "2025-11-02T01:00:47.000Z")]


def test_still_in_queue_is_only_offered_and_never_queued_is_no_contact() -> None:
    summary = CtrSummary()
    waiting = ctr(Agent=None, DisconnectTimestamp=None, Queue={"DequeueTimestamp": None, "Duration": None})
    waiting["Queue"] = {k: v for k, v in waiting["Queue"].items() if v is not None}
    assert [e["type"] for e in convert_record(waiting, summary)] == ["contact.offered"]
    assert convert_record(ctr(Queue=None, Agent=None), summary) == []
    assert convert_record(ctr(Channel="TASK"), summary) == []
    assert summary.contacts == {"waiting": 1} and summary.skipped == {"not_queued": 1, "channel_TASK": 1}


def test_transfer_by_next_contact_or_transfer_time() -> None:
    by_next = _events(ctr(NextContactId="c-2"))
    by_time = _events(ctr(TransferCompletedTimestamp="2025-11-02T01:02:00Z"))
    assert ("contact.transferred", "2025-11-02T01:03:00.000Z") in by_next
    assert ("contact.transferred", "2025-11-02T01:02:00.000Z") in by_time


def test_acw_still_running_has_no_wrapup_yet() -> None:
    record = ctr(Agent={"AfterContactWorkEndTimestamp": None, "AfterContactWorkDuration": None})
    record["Agent"] = {k: v for k, v in record["Agent"].items() if v is not None}
    assert [kind for kind, _ in _events(record)][-1] == "contact.ended"


def test_dedupe_newest_last_update_wins_across_files_and_shapes(tmp_path: Path) -> None:
    # first delivery: ACW not over yet; the update (newer) is in the FIRST file, the stale one in the second
    early = ctr(LastUpdateTimestamp="2025-11-02T01:03:10Z",
                Agent={"AfterContactWorkEndTimestamp": None, "AfterContactWorkDuration": None})
    early["Agent"] = {k: v for k, v in early["Agent"].items() if v is not None}
    late = ctr()
    other = ctr("c-9", Agent=None, Queue={"Duration": 3})
    (tmp_path / "a.json").write_text(json.dumps([late, other], indent=2))  # a JSON array, pretty-printed
    gz = tmp_path / "b.jsonl.gz"
    gz.write_bytes(gzip.compress((json.dumps(early) + "\n" + json.dumps(other) + "\n").encode()))  # JSON Lines
    firehose = tmp_path / "c"
    firehose.write_text(json.dumps(early) + json.dumps(other))  # back to back, no separator
    letters: list = []
    events, summary = import_ctr([tmp_path / "a.json", gz, firehose], letters.append, pseudonymise=pseudonymiser(TEST_KEY))
    assert letters == [] and summary.records == 6 and summary.duplicates == 4
    wrapups = [e for e in events if e["type"] == "contact.wrapup_completed"]
    assert [(e["contact_id"], e["ts"]) for e in wrapups] == [("c-1", "2025-11-02T01:03:45.000Z")]
    assert len({e["event_id"] for e in events}) == len(events)


def test_bad_records_are_dead_letters_with_line_and_reason(tmp_path: Path) -> None:
    no_id = ctr()
    del no_id["ContactId"]
    bad_time = ctr("c-3", Queue={"EnqueueTimestamp": "yesterday"})
    source = tmp_path / "ctr.jsonl"
    source.write_text("\n".join([json.dumps(ctr("c-2")), json.dumps(no_id), "{not json", json.dumps(bad_time)]) + "\n")
    whole = gzip.compress(("\n".join(json.dumps(ctr(f"g-{i}")) for i in range(50)) + "\n").encode())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(import_records, ["amazon-connect-ctr", str(source), str(cut), "--out", str(out)])
    assert result.exit_code == 0, result.output
    letters = [orjson.loads(x) for x in (tmp_path / "events.jsonl.dead-letters.jsonl").read_bytes().splitlines()]
    found = {(x["reason"], x["source"].rsplit(":", 1)[1]) for x in letters}
    assert {("no_contact_id", "2"), ("not_json", "3"), ("bad_timestamp", "4")} <= found
    assert any(x["reason"] == "truncated_gzip" for x in letters)
    assert "Queue.EnqueueTimestamp 'yesterday'" in result.output
    assert b'"c-2/offered"' in out.read_bytes()


def test_times_and_durations_no_contact_can_have_are_dead_letters_not_a_stopped_import(tmp_path: Path) -> None:
    # a wait of 1e300 s, or a time near year 9999 with a duration added, once stopped the import with a
    # traceback (a time Python cannot print); now each record is a dead letter naming the field
    far = ctr("c-far", Queue={"EnqueueTimestamp": "9999-12-31T23:59:00Z"})
    long_wait = ctr("c-wait", Queue={"Duration": 1e300})
    infinite_acw = ctr("c-acw", Agent={"AfterContactWorkDuration": 10_000_000})
    source = tmp_path / "ctr.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in (far, long_wait, infinite_acw, ctr("c-ok"))) + "\n")
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(import_records, ["amazon-connect-ctr", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    letters = [orjson.loads(x) for x in (tmp_path / "events.jsonl.dead-letters.jsonl").read_bytes().splitlines()]
    details = sorted((x["reason"], x["detail"].split(": ", 1)[1]) for x in letters)  # after "line N: "
    assert details == sorted([
        ("bad_timestamp", "Queue.EnqueueTimestamp '9999-12-31T23:59:00Z' is outside 1970-01-02 to 2099-12-31 "
                          "(UTC), the times the store can hold"),
        ("bad_duration", "Queue.Duration 1e+300 is not a duration a contact can have (at most 9,999,999 seconds, "
                         "about 115 days)"),
        ("bad_duration", "Agent.AfterContactWorkDuration 10000000 is not a duration a contact can have (at most "
                         "9,999,999 seconds, about 115 days)")])
    assert {orjson.loads(line)["contact_id"] for line in out.read_bytes().splitlines()} == {"c-ok"}


def test_nothing_readable_exits_1(tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("hello\n")
    result = CliRunner().invoke(import_records, ["amazon-connect-ctr", str(junk), "--out", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 1


def test_report_from_records_hand_worked_and_reimport_changes_nothing(chdb_store, tmp_path: Path) -> None:
    records = [ctr("c-1"), ctr("c-2", Queue={"Duration": 40}, Agent={"Username": "wang.wei"}),
               ctr("c-3", Agent=None, Queue={"Duration": 3}), ctr("c-1")]  # c-1 delivered twice
    source = tmp_path / "ctr.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    out = tmp_path / "events.jsonl"
    assert CliRunner().invoke(import_records, ["amazon-connect-ctr", str(source), "--out", str(out)]).exit_code == 0
    settings = load_settings()
    replay([str(out)], chdb_store, settings, pseudonymiser(TEST_KEY), tmp_path / "dead.jsonl")
    (first,) = report(chdb_store, "2025-11-02", "2025-11-03")
    replay([str(out)], chdb_store, settings, pseudonymiser(TEST_KEY), tmp_path / "dead.jsonl")
    (again,) = report(chdb_store, "2025-11-02", "2025-11-03")
    assert again == first
    # c-1 waits 20 s, c-2 40 s (answered 01:00:40, ended 01:03:00 -> 140 s connected, 30 s hold, ACW 45 s);
    # c-3 abandons after 3 s (a short abandon)
    assert (first["offered"], first["answered"], first["abandoned"], first["short_abandoned"]) == (3, 2, 1, 1)
    assert first["asa_s"] == pytest.approx(30.0)
    # handle c-1: talk 160-30=130 + hold 30 + acw 45 = 205; c-2: 110 + 30 + 45 = 185
    assert first["aht_s"] == pytest.approx(195.0) and first["avg_hold_s"] == pytest.approx(30.0)
    assert first["service_level"] == pytest.approx(1 / 2)  # c-1 within 30 s / (3 offered - 1 short)
