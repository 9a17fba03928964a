"""Reading other systems' record files: plain or gzip, several in the order given, every line numbered.

A truncated or corrupt ``.gz`` is reported as one bad line (where the file
stopped) and the import goes on with the next file, so a half-copied rotated
log costs its tail, never the whole import.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


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
            handle = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
            with handle:
                for number, raw in enumerate(handle, start=1):  # noqa: B007 - number is read after a failure
                    yield Line(f"{path}:{number}", number, raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        except (EOFError, OSError, zlib.error) as exc:
            reason = "truncated_gzip" if isinstance(exc, EOFError) else "unreadable_file"
            yield Unreadable(f"{path}:{number + 1}", number + 1, reason,
                             f"{path} could not be read past line {number}: {exc}")


def read_text(path: Path) -> tuple[str, Unreadable | None]:
    """A whole file as text (JSON records are not line-shaped); what could be read of a damaged one, and why
    it stopped."""
    opener = gzip.open if path.suffix == ".gz" else open
    chunks: list[bytes] = []
    try:
        with opener(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                chunks.append(chunk)
    except (EOFError, OSError, zlib.error) as exc:
        text = b"".join(chunks).decode("utf-8", errors="replace")
        line = text.count("\n") + 1
        reason = "truncated_gzip" if isinstance(exc, EOFError) else "unreadable_file"
        return text, Unreadable(f"{path}:{line}", line, reason, f"{path} could not be read past line {line}: {exc}")
    return b"".join(chunks).decode("utf-8", errors="replace"), None
