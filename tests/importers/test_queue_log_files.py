"""queue_log files end to end: rotated and gzipped files, bad input, the command, and replay into a report."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from pipeline.cli.import_records import import_records
from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.batch import replay
from pipeline.settings import load_settings
from tests.fixtures.stores import TEST_KEY, report

T0 = 1_762_045_200  # 2025-11-02T01:00:00Z = 09:00 in Asia/Shanghai
# Three calls, hand-worked: A waits 12 s and talks 88 s; B hangs up after 25 s; C times out after 300 s,
# its ENTERQUEUE in the older file and its exit in the newer one; D is still queued at the end.
OLDER = [
    f"{T0}|A|sales|NONE|ENTERQUEUE||13800138000|1",
    f"{T0 + 5}|B|sales|NONE|ENTERQUEUE||13900139000|2",
    f"{T0 + 13}|A|sales|SIP/1001|CONNECT|12|A2|3",
    f"{T0 + 20}|C|sales|NONE|ENTERQUEUE||unknown|2",
    f"{T0 + 30}|B|sales|NONE|ABANDON|1|2|25",
]
NEWER = [
    f"{T0 + 101}|A|sales|SIP/1001|COMPLETECALLER|12|88|1",
    f"{T0 + 320}|C|sales|NONE|EXITWITHTIMEOUT|1|2|300",
    f"{T0 + 400}|D|sales|NONE|ENTERQUEUE||13700137000|1",
]


def _write(path: Path, rows: list[str]) -> Path:
    data = ("\n".join(rows) + "\n").encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def _import(tmp_path: Path, *paths: Path, name: str = "events.jsonl") -> tuple[object, Path]:
    out = tmp_path / name
    result = CliRunner().invoke(import_records, ["asterisk-queue-log", *map(str, paths), "--out", str(out)])
    return result, out


def test_rotated_files_in_order_carry_open_calls_across(tmp_path):
    result, out = _import(tmp_path, _write(tmp_path / "queue_log.1.gz", OLDER), _write(tmp_path / "queue_log", NEWER))
    assert result.exit_code == 0, result.output
    events = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    by_type: dict[str, list[dict]] = {}
    for e in events:
        by_type.setdefault(e["type"], []).append(e)
    assert len(by_type["contact.offered"]) == 4
    assert [e["reason"] for e in by_type["contact.abandoned"]] == ["customer", "timeout"]
    assert "still waiting at the end" in result.output and "ACW 0" in result.output


def test_bad_lines_and_a_truncated_gzip_are_dead_letters_and_the_import_goes_on(tmp_path):
    bad = _write(tmp_path / "bad.log", [f"{T0}|x|sales", "soon|x|sales|NONE|ENTERQUEUE||1", OLDER[0]])
    whole = gzip.compress(("\n".join(NEWER * 200) + "\n").encode())
    truncated = tmp_path / "cut.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    result, out = _import(tmp_path, bad, truncated)
    assert result.exit_code == 0, result.output
    letters = [orjson.loads(line) for line in (tmp_path / "events.jsonl.dead-letters.jsonl").read_bytes().splitlines()]
    reasons = [(letter["reason"], letter["source"].rsplit(":", 1)[1]) for letter in letters]
    assert reasons[:2] == [("too_few_fields", "1"), ("bad_epoch", "2")]
    assert reasons[-1][0] == "truncated_gzip"
    assert "too_few_fields" in result.output and "truncated_gzip" in result.output
    assert out.read_bytes().count(b"contact.offered") >= 1  # the good line of bad.log was imported


def test_a_dead_lettered_enterqueue_keeps_the_callers_pseudonym_not_the_number(tmp_path):
    """Lines that fail on their epoch or call id keep their shape for whoever fixes the source, and the caller's
    pseudonym (the one the store holds for them) instead of the number."""
    bad = _write(tmp_path / "bad.log", ["soon|x|sales|NONE|ENTERQUEUE||13800138000|1",
                                        f"{T0}|NONE|sales|NONE|ENTERQUEUE|url|+8613900000000|1", OLDER[0]])
    result, _ = _import(tmp_path, bad)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "events.jsonl.dead-letters.jsonl").read_text()
    letters = [orjson.loads(line) for line in text.splitlines()]
    assert [letter["reason"] for letter in letters] == ["bad_epoch", "no_call"]
    assert "13800138000" not in text and "13900000000" not in text
    pseudonym = pseudonymiser(TEST_KEY)
    assert letters[0]["raw"] == f"soon|x|sales|NONE|ENTERQUEUE||{pseudonym('13800138000')}|1"
    assert letters[1]["raw"] == f"{T0}|NONE|sales|NONE|ENTERQUEUE|url|{pseudonym('+8613900000000')}|1"


def test_gzip_is_known_by_its_bytes_and_a_bzip2_file_is_one_dead_letter(tmp_path):
    """A rotated log gzipped under another name reads like the plain one; a bzip2 file is named, not misread."""
    import bz2

    (tmp_path / "queue_log.1-20251102").write_bytes(gzip.compress(("\n".join(OLDER) + "\n").encode()))
    (tmp_path / "queue_log.0.bz2").write_bytes(bz2.compress(b"whatever\n"))
    plain, _ = _import(tmp_path, _write(tmp_path / "older.log", OLDER), _write(tmp_path / "newer.log", NEWER),
                       name="plain.jsonl")
    result, out = _import(tmp_path, tmp_path / "queue_log.0.bz2", tmp_path / "queue_log.1-20251102",
                          _write(tmp_path / "newer.log", NEWER))
    assert plain.exit_code == 0 and result.exit_code == 0, result.output
    assert out.read_bytes() == (tmp_path / "plain.jsonl").read_bytes()  # the same events, ids and all
    letters = [orjson.loads(line) for line in (tmp_path / "events.jsonl.dead-letters.jsonl").read_bytes().splitlines()]
    assert [(x["reason"], x["source"]) for x in letters] == [("packed_file", f"{tmp_path / 'queue_log.0.bz2'}:1")]
    assert "is a bzip2 file; decompress it first" in letters[0]["detail"]


def test_no_readable_line_exits_1(tmp_path):
    result, _ = _import(tmp_path, _write(tmp_path / "junk.log", ["hello", "world"]))
    assert result.exit_code == 1
    assert "no line could be read" in result.output


def test_import_then_report_hand_worked_and_a_second_import_changes_nothing(chdb_store, tmp_path):
    older, newer = _write(tmp_path / "queue_log.1", OLDER), _write(tmp_path / "queue_log", NEWER)
    _, first = _import(tmp_path, older, newer, name="first.jsonl")
    _, overlapping = _import(tmp_path, older, older, newer, newer, name="again.jsonl")  # overlap: every line twice
    settings = load_settings()
    pseudonymise = pseudonymiser(TEST_KEY)
    replay([str(first)], chdb_store, settings, pseudonymise, tmp_path / "dead.jsonl")
    (before,) = report(chdb_store, "2025-11-02", "2025-11-03")
    summary = replay([str(first), str(overlapping)], chdb_store, settings, pseudonymise, tmp_path / "dead.jsonl")
    (after,) = report(chdb_store, "2025-11-02", "2025-11-03")
    assert summary.dead_letters == 0
    assert after == before
    assert (before["offered"], before["answered"], before["abandoned"], before["waiting"]) == (4, 1, 2, 1)
    assert before["abandoned_by_reason"] == {"customer": 1, "timeout": 1, "empty": 0, "key": 0}
    assert (before["asa_s"], before["aht_s"], before["avg_talk_s"], before["avg_acw_s"]) == (12.0, 88.0, 88.0, 0.0)
    # SL (exclude_short): A answered within 30 s / (4 offered - 0 short abandons)
    assert before["service_level"] == pytest.approx(1 / 4)
    assert before["time_conflicts"] == 0
