"""``cckpi import amazon-connect-ctr``: files -> one record per ContactId (newest wins) -> events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from pipeline.core.intake import DeadLetter
from pipeline.importers.amazon_connect import (BadRecord, CtrSummary, contact_id_of, convert_record, last_update,
                                               split_json)
from pipeline.importers.source_files import read_text


def import_ctr(paths: list[Path],
               on_dead_letter: Callable[[DeadLetter], None]) -> tuple[list[dict[str, Any]], CtrSummary]:
    """Every record of every file is read before any is converted: a newer delivery of a contact may come in a
    later file, or earlier in the same one."""
    summary = CtrSummary()
    kept: dict[str, tuple[datetime, dict[str, Any], str]] = {}  # ContactId -> (last update, record, source)
    for path in paths:
        text, stopped = read_text(path)
        for piece in split_json(text):
            source = f"{path}:{piece.line}"
            if piece.error:
                summary.dead["not_json"] += 1
                on_dead_letter(DeadLetter("not_json", f"line {piece.line}: {piece.error}", b"", source))
                continue
            summary.records += 1
            try:
                contact_id = contact_id_of(piece.value)
                updated = last_update(piece.value)
                if contact_id in kept:
                    summary.duplicates += 1
                    if updated < kept[contact_id][0]:  # the same time: the later one read wins
                        continue
                kept[contact_id] = (updated, piece.value, source)
            except BadRecord as exc:
                _dead(summary, on_dead_letter, exc, piece.value, source)
        if stopped is not None:
            summary.dead[stopped.reason] += 1
            on_dead_letter(DeadLetter(stopped.reason, stopped.detail, b"", stopped.source))
    events: list[dict[str, Any]] = []
    for _, record, source in kept.values():
        try:
            converted = convert_record(record, summary)
        except BadRecord as exc:
            _dead(summary, on_dead_letter, exc, record, source)
            continue
        events.extend(converted)
        for event in converted:
            summary.events[event["type"]] += 1
    return events, summary


def _dead(summary: CtrSummary, on_dead_letter: Callable[[DeadLetter], None], exc: BadRecord, record: Any,
          source: str) -> None:
    summary.dead[exc.reason] += 1
    on_dead_letter(DeadLetter(exc.reason, f"line {source.rsplit(':', 1)[1]}: {exc.detail}", orjson.dumps(record),
                              source))


def summary_rows(summary: CtrSummary) -> list[tuple[str, str, int]]:
    rows = [("records read", "", summary.records), ("older deliveries of a contact", "dropped", summary.duplicates)]
    rows += [(name, "contacts", n) for name, n in sorted(summary.contacts.items())]
    rows += [(name, "events written", n) for name, n in sorted(summary.events.items())]
    rows += [(name, "skipped (no queue contact)", n) for name, n in sorted(summary.skipped.items())]
    rows += [(name, "dead letter", n) for name, n in sorted(summary.dead.items())]
    return rows
