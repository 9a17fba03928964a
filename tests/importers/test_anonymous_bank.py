"""The Anonymous Bank importer: hand-checked records, then the whole of February 1999."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import orjson
from click.testing import CliRunner

from tests.paths import BANK_DATA
from pipeline.cli.import_records import import_records
from pipeline.core.decode import Accepted, decode
from pipeline.importers.anonymous_bank import convert

DATA = BANK_DATA / "02_February.txt"
HEADER = "\t".join(
    "vru+line call_id customer_id priority type date vru_entry vru_exit vru_time q_start q_exit q_time "
    "outcome ser_start ser_exit ser_time server".split())

# Real lines of February 1999, one per rule or oddity (tabs between fields).
RECORDS = {
    "queued_agent": "AA0101 34597 54128681 2 PS 990201 20:08:25 20:08:31 6 20:08:31 20:09:44 73 AGENT 20:09:43 20:11:49 126 IDIT",
    "from_vru": "AA0101 34536 0 0 PS 990201 7:02:47 7:02:56 9 0:00:00 0:00:00 0 AGENT 7:02:55 7:05:41 166 DORIT",
    "no_server": "AA0101 34537 0 0 PS 990201 7:31:45 7:31:55 10 0:00:00 0:00:00 0 AGENT 7:31:54 7:31:59 5 NO_SERVER",
    "hang_queued": "AA0101 34539 23317894 2 PS 990201 8:09:16 8:09:22 6 8:09:22 8:09:27 5 HANG 0:00:00 0:00:00 0 NO_SERVER",
    "hang_vru": "AA0101 34606 0 0 PS 990201 22:43:22 22:43:22 0 0:00:00 0:00:00 0 HANG 0:00:00 0:00:00 0 NO_SERVER",
    "phantom": "AA0101 35092 0 0 NW 990209 13:53:36 13:53:46 10 13:53:46 13:54:10 24 PHANTOM 13:54:09 13:54:13 4 NO_SERVER",
    "midnight_talk": "AA0104 22869 24309866 2 PS 990208 23:51:29 23:51:34 5 23:51:34 23:52:21 47 AGENT 23:52:20 0:00:55 515 AVNI",
    "midnight_queue": "AA0102 31056 15696776 2 PS 990215 23:59:54 23:59:54 0 0:00:00 0:00:27 27 AGENT 0:00:26 0:01:33 67 AVNI",
    "negative_vru": "AA0102 30456 25627027 2 PS 990207 9:48:14 9:47:17 -57 9:47:17 9:50:11 174 AGENT 9:50:11 9:51:28 77 KAZAV",
    "no_service": "AA0101 34648 24442634 2 PS 990202 13:44:47 13:44:53 6 13:44:53 13:45:06 13 AGENT 0:00:00 0:00:00 0 YIFAT",
    "clock_skew": "AA0102 30563 55921597 1 NE 990208 14:14:04 14:14:15 11 14:14:15 14:15:08 53 AGENT 14:14:13 14:15:10 57 ANAT",
    # ser_start and q_exit disagree: the answer is at q_start + q_time all the same
    "service_clock_far_early": "AA0108 1604 28766624 2 TT 990222 9:52:05 9:52:07 2 9:52:07 9:59:55 468 AGENT 9:52:07 10:01:27 560 DORIT",
    "service_clock_late": "AA0103 26966 24986291 1 NE 990221 17:03:05 17:03:26 21 17:03:26 17:08:14 288 AGENT 17:08:16 17:08:19 3 TOVA",
    "bad_fields": "AA0101 1 2 garbage",
    "bad_time": "AA0101 34999 0 0 PS 990201 25:61:00 7:02:56 9 0:00:00 0:00:00 0 AGENT 7:02:55 7:05:41 166 DORIT",
}


def _lines(*names: str) -> list[str]:
    return [HEADER + "\n"] + [RECORDS[name].replace(" ", "\t") + "\n" for name in names]


def _by_contact(names: str) -> dict[str, list[tuple[str, str, dict[str, object]]]]:
    events, _ = convert(_lines(names))
    out: dict[str, list[tuple[str, str, dict[str, object]]]] = {}
    for e in events:
        out.setdefault(e["contact_id"], []).append((e["type"], e["ts"], e))
    return out


def _timeline(name: str) -> list[tuple[str, str]]:
    (events,) = _by_contact(name).values()
    return [(kind, ts) for kind, ts, _ in events]


def test_queued_call_answered_by_an_agent() -> None:
    events, summary = convert(_lines("queued_agent"))
    assert [(e["type"], e["ts"]) for e in events] == [
        ("contact.offered", "1999-02-01T20:08:31.000+02:00"),
        ("contact.answered", "1999-02-01T20:09:44.000+02:00"),  # q_start + q_time 73 (ser_start says 20:09:43)
        ("contact.ended", "1999-02-01T20:11:50.000+02:00"),  # answered + ser_time 126
        ("contact.wrapup_completed", "1999-02-01T20:11:50.000+02:00"),
    ]
    offered, answered, _, wrapup = events
    assert offered["contact_id"] == "AA0101-990201-34597"
    assert offered["queue"] == "PS" and offered["channel"] == "voice" and offered["customer_key"] == "54128681"
    assert answered["agent_id"] == "IDIT" and wrapup["agent_id"] == "IDIT"
    assert "disposition" not in wrapup
    assert summary.contacts == {"answered": 1}
    assert all(isinstance(decode(orjson.dumps(e)), Accepted) for e in events)


def test_served_from_the_voice_response_unit_waits_zero_and_unknown_customer_has_no_key() -> None:
    assert _timeline("from_vru") == [
        ("contact.offered", "1999-02-01T07:02:55.000+02:00"),
        ("contact.answered", "1999-02-01T07:02:55.000+02:00"),
        ("contact.ended", "1999-02-01T07:05:41.000+02:00"),
        ("contact.wrapup_completed", "1999-02-01T07:05:41.000+02:00"),
    ]
    (events,) = _by_contact("from_vru").values()
    assert "customer_key" not in events[0][2]


def test_no_server_is_kept_as_the_agent_id() -> None:
    (events,) = _by_contact("no_server").values()
    assert events[1][2]["agent_id"] == "NO_SERVER"


def test_hang_up_in_queue_is_an_abandon_at_queue_exit() -> None:
    assert _timeline("hang_queued") == [
        ("contact.offered", "1999-02-01T08:09:22.000+02:00"),
        ("contact.abandoned", "1999-02-01T08:09:27.000+02:00"),
    ]


def test_vru_hang_ups_and_phantoms_give_no_events_but_are_counted() -> None:
    events, summary = convert(_lines("hang_vru", "phantom"))
    assert events == []
    assert summary.skipped == {"vru_only": 1, "phantom": 1}
    assert summary.records == 2


def test_talk_across_midnight_ends_next_day_by_duration() -> None:
    assert _timeline("midnight_talk")[1:3] == [
        ("contact.answered", "1999-02-08T23:52:21.000+02:00"),  # 23:51:34 + q_time 47
        ("contact.ended", "1999-02-09T00:00:56.000+02:00"),  # 23:52:21 + ser_time 515
    ]


def test_call_queued_exactly_at_midnight_is_a_queued_contact_of_the_next_day() -> None:
    assert _timeline("midnight_queue") == [
        ("contact.offered", "1999-02-16T00:00:00.000+02:00"),
        ("contact.answered", "1999-02-16T00:00:27.000+02:00"),  # q_time 27
        ("contact.ended", "1999-02-16T00:01:34.000+02:00"),  # + ser_time 67
        ("contact.wrapup_completed", "1999-02-16T00:01:34.000+02:00"),
    ]


def test_negative_vru_time_is_converted_and_noted() -> None:
    events, summary = convert(_lines("negative_vru"))
    assert [e["ts"][11:19] for e in events] == ["09:47:17", "09:50:11", "09:51:28", "09:51:28"]
    assert summary.notes["negative_vru_time"] == 1


def test_agent_call_without_service_record_is_answered_at_queue_exit_with_no_talk() -> None:
    assert _timeline("no_service") == [
        ("contact.offered", "1999-02-02T13:44:53.000+02:00"),
        ("contact.answered", "1999-02-02T13:45:06.000+02:00"),
        ("contact.ended", "1999-02-02T13:45:06.000+02:00"),
        ("contact.wrapup_completed", "1999-02-02T13:45:06.000+02:00"),
    ]


def test_answer_is_queue_start_plus_queue_time_whatever_the_service_clock_says() -> None:
    """The rule of the fix: wait = q_time and talk = ser_time exactly, on records whose ser_start is
    1 s early (clock_skew: 14:14:13 vs q_exit 14:15:08, 55 s early), 7:48 early and 2 s late."""
    assert _timeline("clock_skew")[:3] == [
        ("contact.offered", "1999-02-08T14:14:15.000+02:00"),
        ("contact.answered", "1999-02-08T14:15:08.000+02:00"),  # 14:14:15 + 53
        ("contact.ended", "1999-02-08T14:16:05.000+02:00"),  # 14:15:08 + 57
    ]
    assert _timeline("service_clock_far_early")[:3] == [
        ("contact.offered", "1999-02-22T09:52:07.000+02:00"),
        ("contact.answered", "1999-02-22T09:59:55.000+02:00"),  # 9:52:07 + 468 = q_exit; ser_start says 9:52:07
        ("contact.ended", "1999-02-22T10:09:15.000+02:00"),  # 9:59:55 + 560
    ]
    assert _timeline("service_clock_late")[:3] == [
        ("contact.offered", "1999-02-21T17:03:26.000+02:00"),
        ("contact.answered", "1999-02-21T17:08:14.000+02:00"),  # 17:03:26 + 288 = q_exit; ser_start says 17:08:16
        ("contact.ended", "1999-02-21T17:08:17.000+02:00"),  # + 3
    ]
    _, summary = convert(_lines("clock_skew", "service_clock_far_early", "service_clock_late", "queued_agent"))
    assert summary.notes["service_clock_disagrees"] == 1  # only the 468 s one is more than 60 s off


def test_malformed_lines_are_reported_with_line_number_and_reason() -> None:
    events, summary = convert(_lines("queued_agent", "bad_fields", "bad_time"))
    assert len(events) == 4
    assert summary.skipped == {"malformed": 2}
    assert summary.malformed[0] == (3, "4 fields, expected 17")
    assert summary.malformed[1][0] == 4 and "vru_entry" in summary.malformed[1][1]


def test_february_1999_counts_match_the_raw_file() -> None:
    with DATA.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    queued = [r["q_start"] != "0:00:00" or r["q_time"] != "0" for r in rows]
    expected = Counter()
    per_queue: Counter[str] = Counter()
    for row, in_queue in zip(rows, queued):
        if row["outcome"] == "PHANTOM":
            expected["phantom"] += 1
        elif row["outcome"] == "AGENT":
            expected["answered"] += 1
            per_queue[row["type"]] += 1
        elif in_queue:
            expected["abandoned"] += 1
            per_queue[row["type"]] += 1
        else:
            expected["vru_only"] += 1
    assert len(rows) == 33_344

    with DATA.open(newline="") as handle:
        events, summary = convert(handle)

    assert summary.records == len(rows)
    assert summary.contacts == {"answered": expected["answered"], "abandoned": expected["abandoned"]}
    assert summary.skipped == {"phantom": expected["phantom"], "vru_only": expected["vru_only"]}
    types = Counter(e["type"] for e in events)
    assert types == {
        "contact.offered": expected["answered"] + expected["abandoned"],
        "contact.answered": expected["answered"],
        "contact.ended": expected["answered"],
        "contact.wrapup_completed": expected["answered"],
        "contact.abandoned": expected["abandoned"],
    }
    assert Counter(e["queue"] for e in events if e["type"] == "contact.offered") == per_queue
    assert len({e["event_id"] for e in events}) == len(events)
    accepted = [decode(orjson.dumps(e)) for e in events]
    assert all(isinstance(a, Accepted) for a in accepted)
    stamps = [a.ts_ms for a in accepted if isinstance(a, Accepted)]
    assert stamps == sorted(stamps)


def test_cli_writes_events_and_prints_the_summary(tmp_path: Path) -> None:
    source = tmp_path / "calls.txt"
    source.write_text("".join(_lines("queued_agent", "hang_vru", "phantom", "bad_fields")))
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(import_records, ["anonymous-bank", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(out.read_bytes().splitlines()) == 4
    assert "vru_only" in result.output and "phantom" in result.output
    assert "line 5: malformed: 4 fields, expected 17" in result.output
