"""``cckpi import asterisk-queue-log``: files -> events and dead letters, through the pure mapper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.core.intake import DeadLetter
from pipeline.importers.asterisk_queue_log import BadLine, QueueLogMapper, QueueLogSummary, pseudonymised_caller
from pipeline.importers.source_files import Unreadable, read_lines


def import_queue_log(paths: list[Path], on_dead_letter: Callable[[DeadLetter], None],
                     mapper: QueueLogMapper | None = None, *,
                     pseudonymise: Callable[[str], str]) -> Iterator[dict[str, Any]]:
    """The events of every line in file order; bad lines go to ``on_dead_letter`` with the caller id
    pseudonymised.  Read the summary from ``mapper.finish()`` once the iterator is exhausted."""
    mapper = mapper if mapper is not None else QueueLogMapper()
    for item in read_lines(paths):
        if isinstance(item, Unreadable):
            mapper.summary.dead[item.reason] += 1
            on_dead_letter(DeadLetter(item.reason, item.detail, b"", item.source))
            continue
        if not item.text.strip():
            continue
        try:
            yield from mapper.feed(item.text)
        except BadLine as exc:
            on_dead_letter(DeadLetter(exc.reason, f"line {item.number}: {exc.detail}", pseudonymised_caller(item.text.encode(), pseudonymise),
                                      item.source))


def summary_rows(summary: QueueLogSummary) -> list[tuple[str, str, int]]:
    """(what, how, count) rows for the command's summary table."""
    rows = [(name, "mapped", n) for name, n in sorted(summary.rows.items())]
    rows += [(name, "events written", n) for name, n in sorted(summary.events.items())]
    rows += [(name, "skipped (no contact change)", n) for name, n in sorted(summary.skipped.items())]
    rows += [(name, "dead letter", n) for name, n in sorted(summary.dead.items())]
    rows += [("still waiting at the end", "offered, counted as waiting", summary.waiting_at_end),
             ("still talking at the end", "answered, left out of talk and AHT", summary.talking_at_end)]
    return rows
