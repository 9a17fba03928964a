"""Dead letters carry the time they were rejected, and expire from their file by it (one exactly at the cut
stays); records from before they had a time get the file's modification time at the first pass."""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from pipeline.core.intake import DeadLetter
from pipeline.ingest import dead_letter

CUT = 1_793_581_200_000  # 2026-11-02T01:00:00Z


def _letter(at_ms: int | None, name: str) -> bytes:
    body = {"reason": "invalid_value", "detail": name, "source": "day.jsonl:1", "raw": "{}"}
    return orjson.dumps(body if at_ms is None else {**body, "at_ms": at_ms}) + b"\n"


def test_a_record_says_when_it_was_rejected() -> None:
    letter = DeadLetter("invalid_json", "line 1", b"{", "day.jsonl:1")
    assert orjson.loads(dead_letter.record(letter, at_ms=CUT))["at_ms"] == CUT
    assert isinstance(orjson.loads(dead_letter.record(letter))["at_ms"], int)


def test_expire_removes_records_before_the_cut_and_keeps_the_one_at_it(tmp_path: Path) -> None:
    path = tmp_path / "dead-letter.jsonl"
    path.write_bytes(_letter(CUT - 1, "before") + _letter(CUT, "at") + _letter(CUT + 1, "after"))
    assert dead_letter.expire(path, CUT, dry_run=True) == 1
    assert path.read_bytes().count(b"\n") == 3  # a dry run changes nothing
    assert dead_letter.expire(path, CUT) == 1
    assert [orjson.loads(line)["detail"] for line in path.read_bytes().splitlines()] == ["at", "after"]
    assert dead_letter.expire(path, CUT) == 0


def test_records_without_a_time_get_the_files_modification_time_once(tmp_path: Path) -> None:
    """Written by an older cckpi: no at_ms.  The file was last appended 1 s before the cut, so they were
    rejected before it and go; in a file appended 1 s after the cut they stay, stamped with that time, and a
    later pass (the file touched again meanwhile) goes by the stamp, not the new modification time."""
    old = tmp_path / "old.jsonl"
    old.write_bytes(_letter(None, "untimed") + _letter(CUT + 5, "timed"))
    os.utime(old, ((CUT - 1000) / 1000, (CUT - 1000) / 1000))
    assert dead_letter.expire(old, CUT) == 1
    assert [orjson.loads(line)["detail"] for line in old.read_bytes().splitlines()] == ["timed"]

    recent = tmp_path / "recent.jsonl"
    recent.write_bytes(_letter(None, "untimed"))
    os.utime(recent, ((CUT + 1000) / 1000, (CUT + 1000) / 1000))
    assert dead_letter.expire(recent, CUT) == 0
    assert orjson.loads(recent.read_bytes())["at_ms"] == CUT + 1000
    os.utime(recent, ((CUT + 9000) / 1000, (CUT + 9000) / 1000))
    assert dead_letter.expire(recent, CUT + 1001) == 1  # by its stamp, though the file is newer now
