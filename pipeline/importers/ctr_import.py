"""``cckpi import amazon-connect-ctr``: files -> one record per ContactId (newest wins) -> events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from pipeline.core.intake import DeadLetter
from pipeline.core.pseudonym import pseudonymise_key_in
from pipeline.importers.amazon_connect import (BadRecord, CtrSummary, contact_id_of, convert_record, last_update,
                                               split_json)
from pipeline.importers.source_files import read_text


def import_ctr(paths: list[Path], on_dead_letter: Callable[[DeadLetter], None], *,
               pseudonymise: Callable[[str], str]) -> tuple[list[dict[str, Any]], CtrSummary]:
    """Every record of every file is read before any is converted: a newer delivery of a contact may come in a
    later file, or earlier in the same one.  A bad record's dead letter has the customer's address
    (``CustomerEndpoint.Address``, wherever the record repeats it) pseudonymised."""
    def dead(exc: BadRecord, record: Any, source: str) -> None:
        summary.dead[exc.reason] += 1
        raw = pseudonymise_key_in(orjson.dumps(record), customer_address(record), pseudonymise)
        on_dead_letter(DeadLetter(exc.reason, f"line {source.rsplit(':', 1)[1]}: {exc.detail}", raw, source))

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
                dead(exc, piece.value, source)
        if stopped is not None:
            summary.dead[stopped.reason] += 1
            on_dead_letter(DeadLetter(stopped.reason, stopped.detail, b"", stopped.source))
    events: list[dict[str, Any]] = []
    for _, record, source in kept.values():
        try:
            converted = convert_record(record, summary)
        except BadRecord as exc:
            dead(exc, record, source)
            continue
        events.extend(converted)
        for event in converted:
            summary.events[event["type"]] += 1
    return events, summary


def customer_address(record: Any) -> str:
    """The customer key the mapping would take (``CustomerEndpoint.Address``, as text), '' when there is none."""
    endpoint = record.get("CustomerEndpoint") if isinstance(record, dict) else None
    address = endpoint.get("Address") if isinstance(endpoint, dict) else None
    return str(address) if address else ""


def summary_rows(summary: CtrSummary) -> list[tuple[str, str, int]]:
    rows = [("records read", "", summary.records), ("older deliveries of a contact", "dropped", summary.duplicates)]
    rows += [(name, "contacts", n) for name, n in sorted(summary.contacts.items())]
    rows += [(name, "events written", n) for name, n in sorted(summary.events.items())]
    rows += [(name, "skipped (no queue contact)", n) for name, n in sorted(summary.skipped.items())]
    rows += [(name, "dead letter", n) for name, n in sorted(summary.dead.items())]
    return rows
