"""``cckpi import freeswitch-cdr`` for mod_cdr_csv files: rows read as lists, the JSON written from templates.

Why: the reference path (``csv.DictReader``, a dict per row, ``record_events``
and a dict per event, ``iso`` through ``datetime`` per event, ``orjson.dumps``
per event) cost ~7.5 us a record.  A CSV written by the documented template
has every column, whole-second epochs and names with no character JSON would
escape; such a row is mapped here inline.  Any other row (short or long, odd
numbers, an unknown cancel reason, a name to escape: every row that could be a
dead letter) is made into the dict ``DictReader`` would give and goes to
``record_events``, the reference; a file whose header lacks a column, and
every mod_json_cdr file, goes to ``import_freeswitch_cdr`` whole.  So the
output is the reference's byte for byte (``tests/importers/test_freeswitch_cdr_fast.py``).
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import orjson

from pipeline.core.decode import TS_END_TEXT, TS_MIN_TEXT
from pipeline.core.intake import DeadLetter
from pipeline.core.pseudonym import pseudonymise_key_in
from pipeline.importers.freeswitch_callcenter import (_NO_CALLER, CANCEL_REASONS, BadEvent, CallcenterSummary, customer_key,
                                                       iso)
from pipeline.importers.freeswitch_cdr import import_freeswitch_cdr, record_events

COLUMNS = ("cc_side", "cc_member_uuid", "cc_queue", "cc_queue_joined_epoch", "cc_queue_answered_epoch",
           "cc_queue_terminated_epoch", "cc_queue_canceled_epoch", "cc_cause", "cc_cancel_reason", "cc_agent",
           "caller_id_number", "transfer_history")
_UNSAFE = re.compile(r'[\x00-\x1f"\\]').search  # what orjson escapes in a string
_TS_CACHE_MAX = 1 << 16
# ~2,000 rows' JSON (~0.9 MB) a write: at 16,384 (7 MB) each join and its encoded copy were fresh memory the
# kernel had to map (system time 1.0 s of a 1M-row import, 0.2 s now) and never in the cache: 3.4 -> 2.4 s
_FLUSH_PARTS = 1 << 11


def _utf8(path: Path) -> bool:
    """Whether the whole file reads as UTF-8: the reference reads it whole and refuses it whole, this path
    streams it, so it asks first (a block at a time, nothing kept)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                if not block.isascii() or decoder.getstate()[0]:  # ASCII after a whole character is UTF-8
                    decoder.decode(block)
            decoder.decode(b"", final=True)
    except (OSError, UnicodeDecodeError):
        return False
    return True


def _seconds(text: str) -> int:
    """Epoch seconds as ``epoch()`` reads them, or 0 when that would refuse them (or might read them otherwise):
    ten digits within the event contract's times, compared as text."""
    return int(text) if len(text) == 10 and text.isdecimal() and TS_MIN_TEXT <= text < TS_END_TEXT else 0



class FastCdrCsv:
    """Writes the JSON Lines of CDR files; the counts go to ``summary`` as ``import_freeswitch_cdr`` counts them."""

    def __init__(self, wrap_up_s: dict[str, int], on_dead_letter: Callable[[DeadLetter], None],
                 summary: CallcenterSummary, pseudonymise: Callable[[str], str]) -> None:
        self.wrap_up_s = wrap_up_s
        self.pseudonymise = pseudonymise
        self.on_dead_letter = on_dead_letter
        self.summary = summary
        self._ts: dict[int, str] = {}

    def write(self, paths: list[Path], out: IO[bytes]) -> int:
        """Every file in order to ``out``; returns the number of events written."""
        written = 0
        for path in paths:
            if path.suffix.lower() == ".csv" and _utf8(path):
                with path.open(encoding="utf-8") as handle:  # newlines translated, as read_text translates them
                    rows = csv.reader(handle)
                    header = next(rows, [])
                    if set(COLUMNS) <= set(header) and len(set(header)) == len(header):
                        written += self._rows(rows, header, str(path), out)
                        continue
            # JSON records, a file that cannot be read, a header without every column or with one twice
            written += _reference_file(path, self.wrap_up_s, self.on_dead_letter, self.summary, out,
                                           self.pseudonymise)
        return written

    def _iso(self, seconds: int) -> str:
        if len(self._ts) >= _TS_CACHE_MAX:
            self._ts.clear()
        text = self._ts[seconds] = iso(seconds)
        return text

    def _reference(self, row: list[str], header: list[str], number: int, path: str, parts: list[str]) -> int:
        """One row as ``DictReader`` gives it (short rows padded with "", extra fields dropped) through
        ``record_events``: its events, or its dead letter."""
        variables = dict(zip(header, row + [""] * (len(header) - len(row))))
        try:
            events = record_events(variables, self.wrap_up_s, self.summary)
        except BadEvent as exc:
            self.summary.dead[exc.reason] += 1
            raw = pseudonymise_key_in(json.dumps(variables, ensure_ascii=False).encode(),
                                      customer_key(variables.get("caller_id_number", "")), self.pseudonymise)
            self.on_dead_letter(DeadLetter(exc.reason, f"row {number}: {exc.detail}", raw, f"{path}:row {number}"))
            return 0
        parts.extend(orjson.dumps(event).decode() + "\n" for event in events)
        return len(events)

    def _rows(self, rows: Iterator[list[str]], header: list[str], path: str, out: IO[bytes]) -> int:
        """The hot loop over one file's rows (numbered as ``DictReader`` numbers them: blank rows skipped); the
        JSON goes out every few thousand rows."""
        at = {name: header.index(name) for name in COLUMNS}
        i_side, i_member, i_queue, i_joined = (at["cc_side"], at["cc_member_uuid"], at["cc_queue"],
                                               at["cc_queue_joined_epoch"])
        i_answered, i_ended, i_canceled = (at["cc_queue_answered_epoch"], at["cc_queue_terminated_epoch"],
                                           at["cc_queue_canceled_epoch"])
        i_cause, i_reason, i_agent, i_caller, i_transfer = (at["cc_cause"], at["cc_cancel_reason"], at["cc_agent"],
                                                            at["caller_id_number"], at["transfer_history"])
        width = len(header)
        parts: list[str] = []
        ts_get, to_iso, wrap_up_s, append = self._ts.get, self._iso, self.wrap_up_s, parts.append
        kinds = dict.fromkeys(("contact.offered", "contact.answered", "contact.ended", "contact.wrapup_completed",
                               "contact.abandoned", "contact.transferred"), 0)
        skipped = {"agent_leg": 0, "not_queued": 0}
        number, written = 1, 0
        for row in rows:
            if not row:
                continue
            number += 1
            if len(parts) >= _FLUSH_PARTS:
                out.write("".join(parts).encode())
                parts.clear()
            if len(row) != width:
                written += self._reference(row, header, number, path, parts)
                continue
            side = row[i_side]
            if side != "member":
                skipped["agent_leg" if side == "agent" else "not_queued"] += 1
                continue
            member, queue, agent, caller = row[i_member], row[i_queue], row[i_agent], row[i_caller].strip()
            joined, answered, ended, left, reason = _seconds(row[i_joined]), 0, 0, 0, ""
            ok = bool(member and queue and joined > 0 and _UNSAFE(member + queue + agent + caller) is None)
            if not ok:
                pass
            elif row[i_answered]:  # answered, and ended unless the column is empty (-1: no end yet)
                answered, ended = _seconds(row[i_answered]), _seconds(row[i_ended]) if row[i_ended] else -1
                ok = bool(agent) and answered > 0 and ended != 0
            elif row[i_cause].lower() == "cancel":
                left, reason = _seconds(row[i_canceled]), row[i_reason]
                ok = left > 0 and (reason in CANCEL_REASONS or (reason == "BREAK_OUT" and bool(row[i_transfer])))
            if not ok:
                written += self._reference(row, header, number, path, parts)
                continue
            # checked: mapped here as record_events maps it
            key = "" if caller.lower() in _NO_CALLER else f',"customer_key":"{caller}"'
            ts = ts_get(joined) or to_iso(joined)
            append(f'{{"event_id":"{member}/offered","type":"contact.offered","ts":"{ts}","contact_id":"{member}",'
                   f'"channel":"voice","queue":"{queue}","direction":"inbound"{key}}}\n')
            kinds["contact.offered"] += 1
            if answered:
                ts = ts_get(answered) or to_iso(answered)
                append(f'{{"event_id":"{member}/answered","type":"contact.answered","ts":"{ts}",'
                       f'"contact_id":"{member}","agent_id":"{agent}"}}\n')
                kinds["contact.answered"] += 1
                if ended > 0:
                    done = ended + wrap_up_s.get(agent, 0)
                    ts, ts_done = ts_get(ended) or to_iso(ended), ts_get(done) or to_iso(done)
                    append(f'{{"event_id":"{member}/ended","type":"contact.ended","ts":"{ts}","contact_id":"{member}"}}\n'
                           f'{{"event_id":"{member}/wrapup_completed","type":"contact.wrapup_completed",'
                           f'"ts":"{ts_done}","contact_id":"{member}","agent_id":"{agent}"}}\n')
                    kinds["contact.ended"] += 1
                    kinds["contact.wrapup_completed"] += 1
            elif left:
                ts = ts_get(left) or to_iso(left)
                if reason == "BREAK_OUT" and row[i_transfer]:
                    append(f'{{"event_id":"{member}/transferred","type":"contact.transferred","ts":"{ts}",'
                           f'"contact_id":"{member}"}}\n'
                           f'{{"event_id":"{member}/ended","type":"contact.ended","ts":"{ts}",'
                           f'"contact_id":"{member}"}}\n')
                    kinds["contact.transferred"] += 1
                    kinds["contact.ended"] += 1
                else:
                    append(f'{{"event_id":"{member}/abandoned","type":"contact.abandoned","ts":"{ts}",'
                           f'"contact_id":"{member}","reason":"{CANCEL_REASONS[reason]}"}}\n')
                    kinds["contact.abandoned"] += 1
        out.write("".join(parts).encode())
        for counter, counts in ((self.summary.events, kinds), (self.summary.skipped, skipped)):
            for name, n in counts.items():
                if n:
                    counter[name] += n
        return written + sum(kinds.values())


def _reference_file(path: Path, wrap_up_s: dict[str, int], on_dead_letter: Callable[[DeadLetter], None],
                    summary: CallcenterSummary, out: IO[bytes], pseudonymise: Callable[[str], str]) -> int:
    written = 0
    for event in import_freeswitch_cdr([path], wrap_up_s, on_dead_letter, summary, pseudonymise=pseudonymise):
        out.write(orjson.dumps(event) + b"\n")
        written += 1
    return written


def write_freeswitch_cdr(paths: list[Path], wrap_up_s: dict[str, int], on_dead_letter: Callable[[DeadLetter], None],
                         summary: CallcenterSummary, out: IO[bytes], *, pseudonymise: Callable[[str], str]) -> int:
    """What ``import_freeswitch_cdr`` yields, each ``orjson.dumps``-ed with a newline, to ``out``; returns the
    events written."""
    return FastCdrCsv(wrap_up_s, on_dead_letter, summary, pseudonymise).write(paths, out)
