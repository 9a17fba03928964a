"""Reading other systems' record files: plain or gzip, several in the order given, every line numbered.

Gzip is known by its bytes, as ``cckpi replay`` knows it (``ingest.input_files``).
A truncated or corrupt gzip file is reported as one bad line (where the file
stopped) and the import goes on with the next file, so a half-copied rotated
log costs its tail, never the whole import.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest.input_files import DAMAGED, PackedFileError, open_input


@dataclass(frozen=True)
class Line:
    source: str  # path:line, as dead letters name it
    number: int
    text: str


@dataclass(frozen=True)
class Unreadable:
    """Where a file could not be read further, and why."""

    source: str
    number: int
    reason: str
    detail: str


def read_lines(paths: list[Path]) -> Iterator[Line | Unreadable]:
    """Every line of every file in order (without its line ending); bytes that are not UTF-8 are replaced."""
    for path in paths:
        number = 0
        try:
            with open_input(path) as handle:
                for number, raw in enumerate(handle, start=1):  # noqa: B007 - number is read after a failure
                    yield Line(f"{path}:{number}", number, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        except (PackedFileError, OSError, *DAMAGED) as exc:
            yield _unreadable(path, number + 1, exc, f"{path} could not be read past line {number}: {exc}")


def read_text(path: Path) -> tuple[str, Unreadable | None]:
    """A whole file as text (JSON records are not line-shaped); what could be read of a damaged one, and why
    it stopped."""
    chunks: list[bytes] = []
    try:
        with open_input(path) as handle:
            while chunk := handle.read(1 << 20):
                chunks.append(chunk)
    except (PackedFileError, OSError, *DAMAGED) as exc:
        text = b"".join(chunks).decode("utf-8", errors="replace")
        line = text.count("\n") + 1
        return text, _unreadable(path, line, exc, f"{path} could not be read past line {line}: {exc}")
    return b"".join(chunks).decode("utf-8", errors="replace"), None


def _unreadable(path: Path, line: int, exc: Exception, detail: str) -> Unreadable:
    if isinstance(exc, PackedFileError):
        return Unreadable(f"{path}:1", 1, "packed_file", str(exc))
    reason = "truncated_gzip" if isinstance(exc, EOFError) else "unreadable_file"
    return Unreadable(f"{path}:{line}", line, reason, detail)
