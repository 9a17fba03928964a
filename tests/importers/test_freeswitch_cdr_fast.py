"""The row-at-a-time FreeSWITCH CDR import against its reference, record for record.

The reference is ``import_freeswitch_cdr`` (``csv.DictReader``, ``record_events``,
``orjson.dumps`` per event): what the command wrote before the fast path.  Both
get the same files and must give the same bytes, dead letters and summary.  No
real CDR export is in the shared data, so the inputs are the hand-worked day of
tests/fixtures/freeswitch.py, the bench's synthetic CSV, and seeded random CSVs
with the rows files really break with.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import orjson
import pytest

from pipeline.bench.importers import CDR_HEADER, freeswitch_cdr_file
from pipeline.core.intake import DeadLetter
from pipeline.importers.freeswitch_callcenter import CallcenterSummary, parse_agent_list
from pipeline.importers.freeswitch_cdr import import_freeswitch_cdr
from pipeline.importers.freeswitch_cdr_fast import write_freeswitch_cdr
from tests.fixtures import freeswitch as fs
from pipeline.core.pseudonym import pseudonymiser
from tests.fixtures.stores import TEST_KEY

T = 1_762_045_200
WRAPS = {"1001@default": 10, "1002@default": 0}

PSEUDONYMISE = pseudonymiser(TEST_KEY)  # the import commands pseudonymise dead letters' customer keys


def _same(paths: list[Path], wraps: dict[str, int] = WRAPS) -> tuple[bytes, list[DeadLetter], CallcenterSummary]:
    letters: list[DeadLetter] = []
    summary = CallcenterSummary()
    expected = b"".join(orjson.dumps(e) + b"\n" for e in import_freeswitch_cdr(paths, wraps, letters.append, summary,
                                                                                  pseudonymise=PSEUDONYMISE))
    fast_letters: list[DeadLetter] = []
    fast_summary = CallcenterSummary()
    out = io.BytesIO()
    written = write_freeswitch_cdr(paths, wraps, fast_letters.append, fast_summary, out, pseudonymise=PSEUDONYMISE)
    assert out.getvalue() == expected
    assert written == expected.count(b"\n")
    assert fast_letters == letters
    assert fast_summary == summary
    return expected, letters, summary


def _field(rng: random.Random, name: str, i: int) -> str:
    # the last five: the contract's first second and the one before it, its end, and far past it
    epoch = lambda: rng.choice((str(T + i), str(T + i + 30)) * 3 + ("", "0", "x", " 5", "1.5", "-3",  # noqa: E731
                                "١٢٣", "86400", "0000086399", "4102444799", "4102444800", "99999999999999"))
    return {
        "cc_side": rng.choice(("member",) * 6 + ("agent", "", "Member")),
        "cc_member_uuid": rng.choice((f"m-{i}",) * 8 + ("", 'm"q', "m\\b", "成员-1")),
        "cc_queue": rng.choice(("sales@default", "售后@default", "", "q,comma", "line\nbreak")),
        "cc_queue_joined_epoch": epoch(), "cc_queue_answered_epoch": rng.choice(("",) * 3 + (epoch(),)),
        "cc_queue_terminated_epoch": epoch(), "cc_queue_canceled_epoch": epoch(),
        "cc_cause": rng.choice(("Cancel", "cancel", "Terminated", "", "NO_ANSWER")),
        "cc_cancel_reason": rng.choice(("BREAK_OUT", "TIMEOUT", "NO_AGENT_TIMEOUT", "EXIT_WITH_KEY", "", "NONE")),
        "cc_agent": rng.choice(("1001@default", "1002@default", "1003@default", "", "坐席")),
        "caller_id_number": rng.choice(("13800138000", " 13900139000 ", "", "anonymous", "0000000000", 'a"b')),
        "transfer_history": rng.choice(("",) * 3 + ("1762045260:uuid:bl_xfer:1000/default/XML",)),
    }[name]


def _csv_value(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _random_csv(tmp_path: Path, seed: int, rows: int, header: tuple[str, ...] = CDR_HEADER,
                name: str = "cdr.csv") -> Path:
    rng = random.Random(seed)
    lines = [",".join(_csv_value(c) for c in header)]
    for i in range(rows):
        values = [_field(rng, c, i) if c in CDR_HEADER else "extra" for c in header]
        if rng.random() < 0.03:
            values = values[: rng.randint(1, len(values) - 1)]  # short row
        elif rng.random() < 0.03:
            values.append("surplus")  # long row
        lines.append(",".join(_csv_value(v) for v in values))
        if rng.random() < 0.02:
            lines.append("")  # a blank row is not numbered
    path = tmp_path / name
    path.write_bytes(rng.choice(("\n", "\r\n")).join(lines).encode() + rng.choice((b"", b"\n")))
    return path


def test_the_hand_worked_day_and_its_json_records_map_alike(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("\n".join([fs.json_cdr(c) for c in fs.CALLS[:4]]
                                               + [fs.agent_leg_json_cdr(fs.CALLS[0])]))
    (tmp_path / "b.csv").write_text(fs.csv_cdr(fs.CALLS[4:]))
    out, letters, summary = _same([tmp_path / "a.json", tmp_path / "b.csv"], parse_agent_list(fs.AGENT_LIST)[0])
    assert letters == [] and summary.skipped == {"agent_leg": 1} and out


def test_the_bench_csv_maps_alike(tmp_path: Path) -> None:
    out, letters, summary = _same([freeswitch_cdr_file(tmp_path, 5000)])
    assert not letters and summary.skipped["agent_leg"] > 1000 and summary.events["contact.abandoned"] > 100


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_csvs_with_bad_rows_map_alike(tmp_path: Path, seed: int) -> None:
    out, letters, summary = _same([_random_csv(tmp_path, seed, 4000)])
    assert {"missing_field", "bad_number", "bad_cancel_reason"} <= set(summary.dead)
    assert summary.events["contact.transferred"] > 0 and summary.skipped["not_queued"] > 0 and out
    assert len(letters) == sum(summary.dead.values())


def test_a_time_the_store_cannot_hold_is_a_dead_letter_not_a_stopped_import(tmp_path: Path) -> None:
    # an epoch past year 9999 once stopped the import with a traceback (printing it); now the row is a dead
    # letter with its fix on both paths, and the rows after it map as before
    row = dict.fromkeys(CDR_HEADER, "")
    row.update({"cc_side": "member", "cc_queue": "sales@default", "cc_cause": "Terminated", "cc_agent": "1001@default",
                "caller_id_number": "13800138000"})
    rows = [{**row, "cc_member_uuid": "far", "cc_queue_joined_epoch": str(T), "cc_queue_answered_epoch": str(T + 9),
             "cc_queue_terminated_epoch": "99999999999999"},
            {**row, "cc_member_uuid": "ok", "cc_queue_joined_epoch": str(T), "cc_queue_answered_epoch": str(T + 9),
             "cc_queue_terminated_epoch": str(T + 99)}]
    path = tmp_path / "cdr.csv"
    lines = [",".join(_csv_value(c) for c in CDR_HEADER)] + [",".join(_csv_value(r[c]) for c in CDR_HEADER)
                                                           for r in rows]
    path.write_text("\n".join(lines) + "\n")
    out, letters, summary = _same([path])
    assert [(letter.reason, letter.detail) for letter in letters] == [(
        "bad_number", "row 2: cc_queue_terminated_epoch '99999999999999' is outside 1970-01-02 to 2099-12-31 "
                      "(UTC), the times the store can hold; check the switch's clock")]
    assert [orjson.loads(line)["event_id"] for line in out.splitlines()] == [
        "ok/offered", "ok/answered", "ok/ended", "ok/wrapup_completed"]


def test_headers_the_fast_path_leaves_to_the_reference(tmp_path: Path) -> None:
    """Columns in another order with one more, a column missing, a repeated column, no header, bad UTF-8."""
    shuffled = list(CDR_HEADER) + ["cc_extra"]
    random.Random(4).shuffle(shuffled)
    files = [_random_csv(tmp_path, 5, 500, tuple(shuffled), "shuffled.csv"),
             _random_csv(tmp_path, 6, 500, CDR_HEADER[:-1], "short-header.csv"),
             _random_csv(tmp_path, 7, 500, (*CDR_HEADER, "cc_agent"), "repeated.CSV")]
    (tmp_path / "none.csv").write_text("")
    (tmp_path / "latin1.csv").write_bytes(b'"cc_side"\n"m\xe9mber"\n')
    _, letters, summary = _same([*files, tmp_path / "none.csv", tmp_path / "latin1.csv"])
    assert summary.dead["no_header"] == 1 and summary.dead["unreadable"] == 1 and letters


@pytest.mark.parametrize("tail, readable", [("é".encode(), True), (b"\xc3", False)])
def test_a_character_cut_by_the_utf8_check_block_is_judged_whole(tmp_path: Path, tail: bytes, readable: bool) -> None:
    """The check reads 1 MiB blocks: a character across the boundary is UTF-8, a lone lead byte is not."""
    head = freeswitch_cdr_file(tmp_path, 2000).read_bytes()
    filler = b'"agent","x","q","1","","","","","","a","1",""\n'
    head += filler * (((1 << 20) - 1000 - len(head)) // len(filler))
    start = b'"agent","x","q","1","","","","","","a","'
    row = start + b"9" * ((1 << 20) - 1 - len(head) - len(start)) + tail + b'",""\n'  # tail's first byte ends block 1
    path = tmp_path / "cut.csv"
    path.write_bytes(head + row)
    assert path.read_bytes()[(1 << 20) - 1:(1 << 20) - 1 + len(tail)] == tail
    _, letters, summary = _same([path])
    assert summary.dead.get("unreadable", 0) == (0 if readable else 1) and len(letters) == (0 if readable else 1)
