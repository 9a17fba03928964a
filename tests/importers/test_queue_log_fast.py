"""The block-at-a-time queue_log import against its reference, line for line.

The reference is ``import_queue_log`` (``QueueLogMapper.feed`` per line, a dict
per event, ``orjson.dumps`` per event): what the command wrote before the fast
path.  Each test feeds both the same files and asks for the same bytes, the
same dead letters (reason, detail, raw line, source), the same summary and the
same calls left open.  No queue_log from a real centre is in the shared data
(only the 1999 bank records), so the inputs are the bench's synthetic log and
seeded random logs built from real row shapes and from broken ones.
"""

from __future__ import annotations

import bz2
import gzip
import io
import random
from pathlib import Path

import orjson
import pytest

from pipeline.bench.importers import queue_log_file
from pipeline.core.intake import DeadLetter
from pipeline.importers import queue_log_fast
from pipeline.importers.asterisk_queue_log import QueueLogMapper, QueueLogSummary
from pipeline.importers.queue_log_fast import write_queue_log
from pipeline.importers.queue_log_import import import_queue_log
from pipeline.core.pseudonym import pseudonymiser
from tests.fixtures.stores import TEST_KEY

T0 = 1_762_045_200  # 2025-11-02T01:00:00Z

PSEUDONYMISE = pseudonymiser(TEST_KEY)  # the import commands pseudonymise dead letters' customer keys


def _reference(paths: list[Path]) -> tuple[bytes, list[DeadLetter], QueueLogSummary, list[list[object]]]:
    letters: list[DeadLetter] = []
    mapper = QueueLogMapper()
    out = b"".join(orjson.dumps(event) + b"\n" for event in import_queue_log(paths, letters.append, mapper, pseudonymise=PSEUDONYMISE))
    return out, letters, mapper.finish(), mapper.open_calls()


def _fast(paths: list[Path]) -> tuple[bytes, list[DeadLetter], QueueLogSummary, list[list[object]]]:
    letters: list[DeadLetter] = []
    mapper = QueueLogMapper()
    out = io.BytesIO()
    written = write_queue_log(paths, letters.append, mapper, out, pseudonymise=PSEUDONYMISE)
    assert written == out.getvalue().count(b"\n")
    return out.getvalue(), letters, mapper.finish(), mapper.open_calls()


def _same(paths: list[Path]) -> tuple[bytes, list[DeadLetter], QueueLogSummary]:
    expected, fast = _reference(paths), _fast(paths)
    assert fast[0] == expected[0]
    assert fast[1] == expected[1]
    assert fast[2] == expected[2]
    assert fast[3] == expected[3]
    return expected[0], expected[1], expected[2]


def _row(rng: random.Random, i: int, calls: list[str]) -> str:
    """One queue_log row: mostly well formed, a fair share broken in the ways files break."""
    t = T0 + i // 3
    call = rng.choice(calls) if calls and rng.random() < 0.7 else f"{t}.{i}"
    queue = rng.choice(("sales", "support", "售后", "NONE", "", 'q"uote', "back\\slash"))
    agent = rng.choice(("SIP/1001", "Local/2002@agents", "NONE", "", "PJSIP/王"))
    # the last five: the largest duration taken, and past it
    n = lambda: rng.choice(("12", "0", "300", "7.5", "-3", "x", "", " 4", "١٢", "1e2", "0012",  # noqa: E731
                            "9999999", "10000000", "99999999999", "inf", "nan"))
    # the contract's first and last second (86,400 and 4,102,444,799) and past them, as ten digits and not
    epoch = rng.choice((str(t),) * 12 + (f"{t}.25", "abc", "", "-5", f"0{t}", " 17", "0000086399", "0000086400",
                                         "86400", "4102444799", "4102444800", "99999999999999", "nan", "inf"))
    event, data = rng.choice((
        ("ENTERQUEUE", ["", rng.choice(("13800138000", "", "anonymous", " Unknown ", "1390013\t9000", "<unknown>")),
                        "1"]),
        ("ENTERQUEUE", ["", "13900139000"]), ("ENTERQUEUE", []),
        ("CONNECT", [n(), f"{t}.{i}", n()]), ("CONNECT", [n()]), ("CONNECT", []),
        ("COMPLETEAGENT", [n(), n(), "1"]), ("COMPLETECALLER", [n(), n()]), ("COMPLETECALLER", [n()]),
        ("ABANDON", ["1", "2", n()]), ("ABANDON", ["1", "2"]), ("EXITWITHTIMEOUT", ["1", "2", n()]),
        ("EXITEMPTY", ["1", "2", n()]), ("EXITWITHKEY", ["5", "1", "2", n()]), ("EXITWITHKEY", ["5", "1"]),
        ("TRANSFER", ["200", "ctx", n(), n(), "1"]), ("BLINDTRANSFER", ["200", "ctx", n(), n()]),
        ("ATTENDEDTRANSFER", ["BRIDGE", "x", n(), n(), "1"]), ("ATTENDEDTRANSFER", ["APP", "x"]),
        ("PAUSE", [rng.choice(("Lunch", "", "午饭"))]), ("PAUSEALL", []), ("UNPAUSE", ["x"]), ("ADDMEMBER", []),
        ("REMOVEMEMBER", []), ("AGENTLOGIN", ["1001"]), ("AGENTLOGOFF", ["1001", "3600"]),
        ("RINGNOANSWER", ["15000"]), ("RINGCANCELED", ["3"]), ("QUEUESTART", []), ("CONFIGRELOAD", []),
        ("SOMETHINGNEW", ["1"]), ("", ["1"]), ("connect", ["1"]),
    ))
    if event == "ENTERQUEUE" and queue not in ("", "NONE"):
        calls.append(call)
    row = "|".join([epoch, call, queue, agent, event, *data])
    cut = rng.random()
    if cut < 0.02:
        return "|".join(row.split("|")[: rng.randint(1, 4)])  # too few fields
    if cut < 0.03:
        return rng.choice(("", "   ", "\t"))  # blank lines keep their number, feed nothing
    return row


def _random_log(tmp_path: Path, seed: int, lines: int, name: str = "queue_log") -> Path:
    rng = random.Random(seed)
    calls: list[str] = []
    rows = [_row(rng, i, calls) for i in range(lines)]
    rows += rng.sample(rows, lines // 20)  # repeats, as overlapping rotated files give
    rng.shuffle(rows[-lines // 10:])
    ending = rng.choice(("\n", "\r\n"))
    data = "".join(row + ending for row in rows).encode()
    path = tmp_path / name
    path.write_bytes(data + rng.choice((b"", b"%d|tail|sales|NONE|ENTERQUEUE||1" % T0)))  # with or without a last \n
    return path


def test_the_bench_log_maps_alike(tmp_path: Path) -> None:
    out, letters, summary = _same([queue_log_file(tmp_path, 20_000)])
    assert summary.lines > 19_000 and not letters and out.count(b"\n") == sum(summary.events.values())


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_logs_with_bad_lines_map_alike(tmp_path: Path, seed: int) -> None:
    out, letters, summary = _same([_random_log(tmp_path, seed, 6000)])
    # the mix reaches every outcome, so the comparison is not only of the easy lines
    assert {"bad_epoch", "too_few_fields", "no_enterqueue", "unknown_event", "bad_number", "no_agent",
            "no_call", "no_event"} <= set(summary.dead)
    assert summary.skipped["duplicate_line"] > 0 and summary.rows["ATTENDEDTRANSFER"] >= 0
    assert len(letters) == sum(summary.dead.values()) and out


def test_small_blocks_split_lines_and_characters_across_reads_alike(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 97 bytes cut lines (and the UTF-8 of 售后) anywhere; lines are still whole when mapped."""
    monkeypatch.setattr(queue_log_fast, "_BLOCK_BYTES", 97)
    monkeypatch.setattr(queue_log_fast, "_GZIP_BLOCK_LINES", 7)
    plain = _random_log(tmp_path, 5, 2000, "queue_log.1")
    packed = tmp_path / "queue_log.2.gz"
    packed.write_bytes(gzip.compress(_random_log(tmp_path, 6, 2000, "source").read_bytes()))
    _same([plain, packed])


def test_bytes_that_are_not_utf8_are_replaced_alike(tmp_path: Path) -> None:
    rng = random.Random(8)
    good = _random_log(tmp_path, 7, 1500).read_bytes()
    noisy = bytearray(good)
    for _ in range(300):
        noisy.insert(rng.randrange(len(noisy)), rng.choice(b"\xe5\xe4\xff\xc3\x80\x00\x1f\"\\"))
    path = tmp_path / "noisy"
    path.write_bytes(bytes(noisy))
    _same([path])


def test_damaged_gzip_packed_file_and_rotation_alike(tmp_path: Path) -> None:
    """Open calls cross files; a cut gzip stops at the same line, a bzip2 file is one dead letter."""
    older = _random_log(tmp_path, 9, 3000, "queue_log.2")
    whole = gzip.compress(_random_log(tmp_path, 10, 3000, "src").read_bytes())
    cut = tmp_path / "queue_log.1.gz"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    packed = tmp_path / "queue_log.bz2"
    packed.write_bytes(bz2.compress(older.read_bytes()))
    newer = _random_log(tmp_path, 11, 3000, "queue_log")
    _, letters, summary = _same([older, cut, packed, newer])
    assert summary.dead["truncated_gzip"] == 1 and summary.dead["packed_file"] == 1
    assert any(letter.reason == "truncated_gzip" for letter in letters)


def test_hand_worked_call_and_pause_lines(tmp_path: Path) -> None:
    """The JSON written for each mapped shape, worked by hand (the fast path writes it from templates)."""
    path = tmp_path / "queue_log"
    path.write_text(f"{T0}|A|sales|NONE|ENTERQUEUE||13800138000|1\n"
                    f"{T0 + 13}|A|sales|SIP/1001|CONNECT|12|A2|3\n"
                    f"{T0 + 101}|A|sales|SIP/1001|COMPLETECALLER|12|88|1\n"
                    f"{T0 + 102}|NONE|sales|SIP/1001|PAUSE|Lunch\n", encoding="utf-8")
    out, letters, summary = _same([path])
    lines = [orjson.loads(line) for line in out.splitlines()]
    assert [(e["type"], e["ts"]) for e in lines] == [
        ("contact.offered", "2025-11-02T01:00:00.000Z"), ("contact.answered", "2025-11-02T01:00:12.000Z"),
        ("contact.ended", "2025-11-02T01:01:40.000Z"), ("contact.wrapup_completed", "2025-11-02T01:01:40.000Z"),
        ("agent.state", "2025-11-02T01:01:42.000Z")]
    assert lines[0] == {"event_id": f"A@sales@{T0}/offered", "type": "contact.offered",
                        "ts": "2025-11-02T01:00:00.000Z", "contact_id": f"A@sales@{T0}", "channel": "voice",
                        "queue": "sales", "direction": "inbound", "customer_key": "13800138000"}
    assert lines[4]["seq"] == 4 and lines[4]["reason"] == "Lunch" and lines[4]["state"] == "not_ready"
    assert not letters and summary.rows == {"ENTERQUEUE": 1, "CONNECT": 1, "COMPLETECALLER": 1, "PAUSE": 1}


def test_times_the_store_cannot_hold_are_dead_letters_not_a_stopped_import(tmp_path: Path) -> None:
    # these stopped the import with a traceback (a time past year 9999 to print); now each line is a dead
    # letter with its fix, on both paths, and the call around them maps as before
    path = tmp_path / "queue_log"
    path.write_text("99999999999999|X|sales|NONE|ENTERQUEUE||1\n"  # an epoch past the contract's end
                    "nan|Y|sales|NONE|ENTERQUEUE||1\n"
                    "0000086399|Z|sales|NONE|ENTERQUEUE||1\n"  # one second before the contract's first
                    f"{T0}|A|sales|NONE|ENTERQUEUE||13800138000|1\n"
                    f"{T0 + 13}|A|sales|SIP/1001|CONNECT|inf|A2|3\n"
                    f"{T0 + 13}|A|sales|SIP/1001|CONNECT|10000000|A2|3\n"  # 115 days on hold
                    f"{T0 + 13}|A|sales|SIP/1001|CONNECT|12|A2|3\n", encoding="utf-8")
    out, letters, summary = _same([path])
    assert [(letter.reason, letter.source.rsplit(":", 1)[1]) for letter in letters] == [
        ("bad_epoch", "1"), ("bad_epoch", "2"), ("bad_epoch", "3"), ("bad_number", "5"), ("bad_number", "6")]
    assert letters[0].detail == ("line 1: epoch '99999999999999' is outside 1970-01-02 to 2099-12-31 (UTC), the "
                                 "times the store can hold; check the switch's clock")
    assert letters[4].detail == ("line 6: CONNECT holdtime '10000000' is not a duration a call can have (at most "
                                 "9,999,999 seconds, about 115 days)")
    assert [orjson.loads(line)["type"] for line in out.splitlines()] == ["contact.offered", "contact.answered"]


def test_a_mapper_that_keeps_no_lines_maps_alike(tmp_path: Path) -> None:
    """``remember_lines=False`` (the follower's mapper): repeats are mapped again, by both paths alike."""
    path = _random_log(tmp_path, 12, 3000)
    letters: list[DeadLetter] = []
    reference = QueueLogMapper(remember_lines=False)
    expected = b"".join(orjson.dumps(e) + b"\n" for e in import_queue_log([path], letters.append, reference, pseudonymise=PSEUDONYMISE))
    fast_letters: list[DeadLetter] = []
    fast = QueueLogMapper(remember_lines=False)
    out = io.BytesIO()
    write_queue_log([path], fast_letters.append, fast, out, pseudonymise=PSEUDONYMISE)
    assert out.getvalue() == expected and fast_letters == letters
    assert fast.finish() == reference.finish() and "duplicate_line" not in fast.summary.skipped
