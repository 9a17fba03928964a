"""The batch path (``cckpi replay``): JSON Lines files through the worker's chain (``pipeline.ingest.chain``).

Every ``chunk`` lines run the whole chain, with a replay's ends (``replay_chain``).

Files come as people have them: a UTF-8 byte-order mark on the first line (a
file saved by Excel or Notepad) is skipped, and a gzip file (``.jsonl.gz``,
or any file starting with gzip's magic bytes) is read through gzip (``input_files``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from pipeline.core.intake import Counts, Intake
from pipeline.ingest import dead_letter
from pipeline.ingest.chain import Chain, Ends, Load, refresh_now
from pipeline.ingest.gc_pause import gc_paused
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


Place = tuple[str, int]  # a line's file and number: the source of its dead letter (``_source``), if it becomes one


def _source(place: Place) -> str:
    return f"{place[0]}:{place[1]}"


def _lines(path: str, on_bytes: Callable[[int], None]) -> Iterator[tuple[bytes, Place]]:
    name = "stdin" if path == "-" else path
    try:
        with open_input(path) as handle:
            for number, line in enumerate(handle, start=1):
                on_bytes(len(line))
                if number == 1 and line.startswith(BOM):
                    line = line[len(BOM):]
                line = line.strip()
                if line:
                    yield line, (name, number)
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
    """The files' lines through the chain, ``chunk`` lines a batch (the last batch holds the rest)."""
    chain = replay_chain(store, settings, Intake(pseudonymise), dead_letter_path)
    counts = chain.intake.counts
    per_path: Counter[str] = Counter()
    lines = _every_line(paths, on_bytes, per_path)
    contacts: set[str] = set()
    letters = 0
    while True:
        read_before = counts.read
        with gc_paused():  # the batch let go inside the pause: the collector then has no chunk to scan
            load = Load(messages=islice(lines, chunk), where=_source)
            chain.run(load)
            letters += len(load.batch.dead_letters)
            contacts.update(load.batch.contacts)
            del load
        if counts.read - read_before < chunk:
            break
    return ReplaySummary(counts, len(contacts), letters, dead_letter_path, per_path)


def _every_line(paths: list[str], on_bytes: Callable[[int], None],
                per_path: Counter[str]) -> Iterator[tuple[bytes, Place]]:
    """Every non-blank line of every file, in order, counted per file in ``per_path``."""
    for path in paths:
        per_path[path] += 0
        for line in _lines(path, on_bytes):
            per_path[path] += 1
            yield line


def replay_chain(store: Store, settings: Settings, intake: Intake, dead_letter_path: Path) -> Chain:
    """The chain with a replay's ends: dead letters appended to a file, the touched intervals rebuilt at once,
    nothing to commit (the input is files).  The demo's paced replay (``ingest.paced``) writes through it too."""
    return Chain(intake, store, settings, Ends(
        dead_letters=lambda load: dead_letter.append(dead_letter_path, load.batch.dead_letters),
        refresh=refresh_now(store, settings),
        commit=lambda load: None,
    ))
