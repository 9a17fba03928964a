"""The batch path (``cckpi replay``): JSON Lines files through the worker's chain (``pipeline.ingest.chain``).

Lines are fed to the intake; every ``chunk`` events the batch so far goes to
the dead-letter file and through ``store_batch``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.core.intake import Counts, Intake
from pipeline.ingest import dead_letter
from pipeline.ingest.chain import store_batch
from pipeline.settings import Settings
from pipeline.store.store import Store

CHUNK_EVENTS = 500_000


@dataclass
class ReplaySummary:
    counts: Counts
    contacts: int
    dead_letters: int
    dead_letter_path: Path


def _lines(path: str, on_bytes: Callable[[int], None]) -> Iterator[tuple[bytes, str]]:
    handle: BinaryIO = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    name = "stdin" if path == "-" else path
    try:
        for number, line in enumerate(handle, start=1):
            on_bytes(len(line))
            line = line.strip()
            if line:
                yield line, f"{name}:{number}"
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


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
    contacts: set[str] = set()
    letters = 0
    pending = 0
    for path in paths:
        for raw, source in _lines(path, on_bytes):
            intake.feed(raw, source)
            pending += 1
            if pending >= chunk:
                letters += write_batch(store, settings, intake, dead_letter_path, contacts)
                pending = 0
    letters += write_batch(store, settings, intake, dead_letter_path, contacts)
    return ReplaySummary(intake.counts, len(contacts), letters, dead_letter_path)


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
