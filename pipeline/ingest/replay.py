"""The batch path: JSON Lines files through the same chain as the worker.

read -> Intake (decode, pseudonymise, dedupe, assemble) -> flush every
``chunk`` events (merge with the store, write) -> dead letters to a file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.core.intake import Counts, Intake
from pipeline.ingest import dead_letter
from pipeline.ingest.writer import flush
from pipeline.settings import Settings
from pipeline.store import queue_intervals
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
    touched: set[int] = set()  # the 15-minute intervals to rebuild at the end
    letters = 0
    pending = 0
    for path in paths:
        for raw, source in _lines(path, on_bytes):
            intake.feed(raw, source)
            pending += 1
            if pending >= chunk:
                letters += flush_chunk(store, settings, intake, contacts, touched, dead_letter_path)
                pending = 0
    letters += flush_chunk(store, settings, intake, contacts, touched, dead_letter_path)
    queue_intervals.refresh(store, settings, touched)
    return ReplaySummary(intake.counts, len(contacts), letters, dead_letter_path)


def flush_chunk(store: Store, settings: Settings, intake: Intake, contacts: set[str], touched: set[int],
                dead_letter_path: Path) -> int:
    """Write what ``intake`` holds; the paced replay of the demo (``ingest.paced``) flushes through here too."""
    batch = intake.take()
    contacts.update(batch.contacts)
    touched.update(queue_intervals.touched(flush(store, batch), settings))
    return dead_letter.append(dead_letter_path, batch.dead_letters)
