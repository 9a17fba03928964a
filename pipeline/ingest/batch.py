"""The batch path (``cckpi replay``): JSON Lines files through the worker's chain (``pipeline.ingest.chain``).

Lines are fed to the intake; every ``chunk`` events the batch so far goes to
the dead-letter file and through ``store_batch``.

Files come as people have them: a UTF-8 byte-order mark on the first line (a
file saved by Excel or Notepad) is skipped, and a gzip file (``.jsonl.gz``,
or any file starting with gzip's magic bytes) is read through gzip.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pipeline.core.intake import Counts, Intake
from pipeline.ingest import dead_letter
from pipeline.ingest.chain import store_batch
from pipeline.settings import Settings
from pipeline.store.store import Store

CHUNK_EVENTS = 500_000
BOM = b"\xef\xbb\xbf"
GZIP_MAGIC = b"\x1f\x8b"
# other containers people send: named, so the line is "decompress it", not thousands of invalid_json
OTHER_MAGIC = {b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd", b"PK\x03\x04": "zip"}


class ReplayInputError(Exception):
    """An input file cannot be read as JSON Lines; the message names the file and the fix."""


@dataclass
class ReplaySummary:
    counts: Counts
    contacts: int
    dead_letters: int
    dead_letter_path: Path
    lines_by_path: Counter[str] = field(default_factory=Counter)  # non-blank lines read per input


def _open(path: str) -> tuple[BinaryIO, BinaryIO]:
    """(the handle to read lines from, the raw handle to close); gzip by its magic bytes, not its name."""
    raw: BinaryIO = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    head = raw.peek(6)[:6] if hasattr(raw, "peek") else b""
    if head.startswith(GZIP_MAGIC):
        return gzip.GzipFile(fileobj=raw, mode="rb"), raw  # type: ignore[return-value]
    kind = next((name for magic, name in OTHER_MAGIC.items() if head.startswith(magic)), None)
    if kind is not None:
        if raw is not sys.stdin.buffer:
            raw.close()
        raise ReplayInputError(f"{'stdin' if path == '-' else path} is a {kind} file; decompress it first "
                               f"(replay reads JSON Lines, plain or gzip)")
    return raw, raw


def _lines(path: str, on_bytes: Callable[[int], None]) -> Iterator[tuple[bytes, str]]:
    handle, raw = _open(path)
    name = "stdin" if path == "-" else path
    try:
        for number, line in enumerate(handle, start=1):
            on_bytes(len(line))
            if number == 1 and line.startswith(BOM):
                line = line[len(BOM):]
            line = line.strip()
            if line:
                yield line, f"{name}:{number}"
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ReplayInputError(f"{name}: the gzip data is damaged or cut short ({exc}); the lines before it were "
                               f"read; fetch the file again or replay the uncompressed file") from None
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


def replay(
    paths: list[str],
    store: Store,
    settings: Settings,
    pseudonymise: Callable[[str], str],
    dead_letter_path: Path,
    on_bytes: Callable[[int], None] = lambda n: None,
    chunk: int = CHUNK_EVENTS,
) -> ReplaySummary:
    intake = Intake(pseudonymise)
    per_path: Counter[str] = Counter()
    contacts: set[str] = set()
    letters = 0
    pending = 0
    for path in paths:
        per_path[path] += 0
        for raw, source in _lines(path, on_bytes):
            per_path[path] += 1
            intake.feed(raw, source)
            pending += 1
            if pending >= chunk:
                letters += write_batch(store, settings, intake, dead_letter_path, contacts)
                pending = 0
    letters += write_batch(store, settings, intake, dead_letter_path, contacts)
    return ReplaySummary(intake.counts, len(contacts), letters, dead_letter_path, per_path)


def write_batch(store: Store, settings: Settings, intake: Intake, dead_letter_path: Path, contacts: set[str]) -> int:
    """What ``intake`` holds: dead letters to the file, then ``store_batch``; adds the contact ids to ``contacts``.

    Returns the number of dead letters.  The demo's paced replay
    (``ingest.paced``) writes through here too.
    """
    batch = intake.take()
    letters = dead_letter.append(dead_letter_path, batch.dead_letters)
    store_batch(store, settings, batch)
    contacts.update(batch.contacts)
    return letters
