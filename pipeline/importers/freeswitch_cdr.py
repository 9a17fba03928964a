"""``cckpi import freeswitch-cdr``: mod_json_cdr files and mod_cdr_csv rows -> contract events.

One record is one channel.  Only member legs of a queue visit are contacts
(``cc_side=member``); the events are built by the same functions as the live
follower's (``freeswitch_callcenter``), so a call imported from its CDR and
followed live writes the same events with the same ids.

* mod_json_cdr: one JSON object per file (or several, one per line), the
  variables under ``variables``, URL-encoded when the module's
  ``encode-values`` is on (its default), so every value is URL-decoded;
* mod_cdr_csv: a CSV file whose first row names its columns by the variable
  names (the template in docs/importers.md writes it so); values as written.

A record of another side, or with no ``cc_side``, is skipped (counted); one
whose times or names are missing or unreadable is a dead letter with the
file, the record and the reason.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pipeline.core.intake import DeadLetter
from pipeline.core.pseudonym import pseudonymise_key_in
from pipeline.importers.freeswitch_callcenter import (BadEvent, CallcenterSummary, answered, customer_key, ended,
                                                       epoch, left, offered, required)


def record_events(variables: dict[str, str], wrap_up_s: dict[str, int], summary: CallcenterSummary
                  ) -> list[dict[str, Any]]:
    """The contract events of one channel's CDR variables (already decoded)."""
    side = variables.get("cc_side", "")
    if side != "member":
        summary.skipped["agent_leg" if side == "agent" else "not_queued"] += 1
        return []
    member = required(variables, "cc_member_uuid")
    events = offered(member, required(variables, "cc_queue"), epoch(variables, "cc_queue_joined_epoch"),
                     variables.get("caller_id_number", ""))
    if variables.get("cc_queue_answered_epoch"):
        agent = required(variables, "cc_agent")
        events += answered(member, agent, epoch(variables, "cc_queue_answered_epoch"))
        if variables.get("cc_queue_terminated_epoch"):
            events += ended(member, agent, epoch(variables, "cc_queue_terminated_epoch"), wrap_up_s.get(agent, 0))
    elif variables.get("cc_cause", "").lower() == "cancel":
        events += left(member, epoch(variables, "cc_queue_canceled_epoch"), required(variables, "cc_cancel_reason"),
                       bool(variables.get("transfer_history")))
    for item in events:
        summary.events[item["type"]] += 1
    return events


def _json_records(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    decoder = json.JSONDecoder()
    at, number = 0, 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return
        number += 1
        try:
            record, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError as exc:
            raise BadEvent("bad_json", f"record {number}: {exc.msg} at character {exc.pos}") from None
        variables = record.get("variables") if isinstance(record, dict) else None
        if not isinstance(variables, dict):
            raise BadEvent("missing_field", f"record {number}: no variables object (a mod_json_cdr record has one)")
        yield f"record {number}", {str(k): unquote(str(v)) for k, v in variables.items()}


def _csv_records(text: str) -> Iterator[tuple[str, dict[str, str]]]:
    rows = csv.DictReader(io.StringIO(text))
    if not rows.fieldnames or "cc_side" not in rows.fieldnames:
        raise BadEvent("no_header", "the first row must name the columns (cc_side, cc_member_uuid, cc_queue, ...): "
                                    "use the template in docs/importers.md")
    for number, row in enumerate(rows, start=2):
        yield f"row {number}", {k: (v or "") for k, v in row.items() if k is not None}


def import_freeswitch_cdr(paths: list[Path], wrap_up_s: dict[str, int], on_dead_letter: Callable[[DeadLetter], None],
                          summary: CallcenterSummary, *,
                          pseudonymise: Callable[[str], str]) -> Iterator[dict[str, Any]]:
    """The events of every member leg in the files, in the order given; bad records go to ``on_dead_letter``
    with the caller's number (``caller_id_number``, wherever the record repeats it) pseudonymised."""
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            summary.dead["unreadable"] += 1
            on_dead_letter(DeadLetter("unreadable", f"{path}: {exc}", b"", str(path)))
            continue
        records = _csv_records(text) if path.suffix.lower() == ".csv" else _json_records(text)
        try:
            for where, variables in records:
                try:
                    yield from record_events(variables, wrap_up_s, summary)
                except BadEvent as exc:
                    summary.dead[exc.reason] += 1
                    raw = pseudonymise_key_in(json.dumps(variables, ensure_ascii=False).encode(),
                                              customer_key(variables.get("caller_id_number", "")), pseudonymise)
                    on_dead_letter(DeadLetter(exc.reason, f"{where}: {exc.detail}", raw, f"{path}:{where}"))
        except BadEvent as exc:  # the file itself cannot be read on
            summary.dead[exc.reason] += 1
            on_dead_letter(DeadLetter(exc.reason, exc.detail, b"", str(path)))


def summary_rows(summary: CallcenterSummary) -> list[tuple[str, str, int]]:
    """(what, how, count) rows for the command's summary table."""
    rows = [(name, "events written", n) for name, n in sorted(summary.events.items())]
    rows += [(name, "skipped (not a contact)", n) for name, n in sorted(summary.skipped.items())]
    rows += [(name, "dead letter", n) for name, n in sorted(summary.dead.items())]
    return rows
