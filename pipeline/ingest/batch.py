"""The batch path (``cckpi replay``): JSON Lines files through the worker's chain (``pipeline.ingest.chain``).

Lines are fed to the intake; every ``chunk`` events the batch so far goes to
the dead-letter file and through ``store_batch``.

Files come as people have them: a UTF-8 byte-order mark on the first line (a
file saved by Excel or Notepad) is skipped, and a gzip file (``.jsonl.gz``,
or any file starting with gzip's magic bytes) is read through gzip (``input_files``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.intake import Counts, Intake
from pipeline.ingest import dead_letter
from pipeline.ingest.chain import store_batch
from pipeline.ingest.input_files import DAMAGED, PackedFileError, open_input
from pipeline.settings import Settings
from pipeline.store.store import Store

CHUNK_EVENTS = 500_000
BOM = b"\xef\xbb\xbf"


class ReplayInputError(Exception):
    """An input file cannot be read as JSON Lines; the message names the file and the fix."""


@dataclass
class ReplaySummary:
    counts: Counts
    contacts: int
    dead_letters: int
    dead_letter_path: Path
    lines_by_path: Counter[str] = field(default_factory=Counter)  # non-blank lines read per input


def _lines(path: str, on_bytes: Callable[[int], None]) -> Iterator[tuple[bytes, str]]:
    name = "stdin" if path == "-" else path
    try:
        with open_input(path) as handle:
            for number, line in enumerate(handle, start=1):
                on_bytes(len(line))
                if number == 1 and line.startswith(BOM):
                    line = line[len(BOM):]
                line = line.strip()
                if line:
                    yield line, f"{name}:{number}"
    except PackedFileError as exc:
        raise ReplayInputError(f"{exc} (replay reads JSON Lines, plain or gzip)") from None
    except DAMAGED as exc:
        raise ReplayInputError(f"{name}: the gzip data is damaged or cut short ({exc}); the lines before it were "
                               f"read; fetch the file again or replay the uncompressed file") from None


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
