"""Opening inputs: gzip by its bytes whatever the name, other containers refused by name, stdin left open."""

from __future__ import annotations

import bz2
import gzip
import io
import sys
from pathlib import Path

import pytest

from pipeline.ingest.input_files import PackedFileError, open_input


def test_gzip_by_its_bytes_and_plain_whatever_the_name(tmp_path: Path) -> None:
    (tmp_path / "export-0001").write_bytes(gzip.compress(b"a\nb\n"))  # an export bucket's object: no suffix
    (tmp_path / "plain.gz").write_bytes(b"c\n")  # named .gz, but plain
    with open_input(tmp_path / "export-0001") as handle:
        assert handle.read() == b"a\nb\n"
    with open_input(tmp_path / "plain.gz") as handle:
        assert handle.read() == b"c\n"


@pytest.mark.parametrize(("data", "kind"), [(bz2.compress(b"x"), "bzip2"), (b"PK\x03\x04rest", "zip")])
def test_other_containers_are_named_with_the_fix(tmp_path: Path, data: bytes, kind: str) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_bytes(data)
    with pytest.raises(PackedFileError, match=f"calls.jsonl is a {kind} file; decompress it first"):
        with open_input(path):
            pass


def test_stdin_is_read_and_left_open(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(gzip.compress(b"from a pipe\n"))))
    monkeypatch.setattr(sys, "stdin", stdin)
    with open_input("-") as handle:
        assert handle.read() == b"from a pipe\n"
    assert not stdin.buffer.closed
