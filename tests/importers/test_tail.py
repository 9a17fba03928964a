"""tail -F semantics on real files: partial lines, rotation, truncation, resuming in a rotated file."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.importers.follow_queue_log import Checkpoint
from pipeline.importers.tail import FileTail, Position


def _texts(tail: FileTail) -> list[str]:
    return [raw.decode().rstrip("\n") for raw, _ in tail.read()]


def test_only_complete_lines_and_a_missing_file_waits(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    tail = FileTail(path)
    assert tail.read() == []  # not there yet
    path.write_bytes(b"a\nb\npart")
    assert _texts(tail) == ["a", "b"]
    assert tail.read() == []
    with path.open("ab") as handle:
        handle.write(b"ial\n")
    assert [(raw, n) for raw, n in tail.read()] == [(b"partial\n", 3)]
    assert tail.position.offset == path.stat().st_size and tail.position.line == 3


def test_rotation_reads_the_old_file_to_its_end_then_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"1\n")
    tail = FileTail(path)
    assert _texts(tail) == ["1"]
    with path.open("ab") as handle:
        handle.write(b"2\n")
    os.rename(path, tmp_path / "queue_log.1")  # logrotate
    path.write_bytes(b"3\n")
    assert _texts(tail) == ["2"]  # the rest of the rotated file first
    assert tail.read() == []  # end of the old file: switches
    assert _texts(tail) == ["3"]
    assert tail.position.inode == path.stat().st_ino and tail.position.line == 1


def test_truncation_reads_again_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"one\ntwo\n")
    tail = FileTail(path)
    assert _texts(tail) == ["one", "two"]
    path.write_bytes(b"x\n")  # truncated and rewritten, shorter than the position
    assert tail.read() == []
    assert _texts(tail) == ["x"]


def test_resume_at_a_saved_position_and_in_a_file_rotated_while_stopped(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"1\n2\n")
    first = FileTail(path)
    first.read(2)  # "1\n" only
    saved = first.position
    first.close()
    assert saved.offset == 2 and saved.line == 1
    with path.open("ab") as handle:
        handle.write(b"3\n")
    os.rename(path, tmp_path / "queue_log.1")
    path.write_bytes(b"4\n")
    resumed = FileTail(path, saved)
    assert _texts(resumed) == ["2", "3"]
    assert resumed.read() == []
    assert _texts(resumed) == ["4"]


def test_checkpoint_round_trip_is_atomic_and_names_its_file(tmp_path: Path) -> None:
    checkpoint = Checkpoint(tmp_path / "cp.json")
    log_path = tmp_path / "queue_log"
    assert checkpoint.load(log_path) == (None, [])
    checkpoint.save(log_path, Position(7, 120, 3), [["c1", "c1@q@1", "q", 1.0, None]])
    assert checkpoint.load(log_path) == (Position(7, 120, 3), [["c1", "c1@q@1", "q", 1.0, None]])
    assert not (tmp_path / "cp.json.tmp").exists()
    try:
        checkpoint.load(tmp_path / "other_log")
    except ValueError as exc:
        assert "--checkpoint" in str(exc)
    else:
        raise AssertionError("a checkpoint of another file must be refused")


def test_a_line_longer_than_a_batch_is_handed_on_in_pieces(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"x" * 10 + b"\nok\n")
    tail = FileTail(path)
    assert [raw for raw, _ in tail.read(4)] == [b"xxxx"]  # never stuck on it
    assert [raw for raw, _ in tail.read(100)] == [b"xxxxxx\n", b"ok\n"]
