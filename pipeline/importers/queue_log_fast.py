"""``cckpi import asterisk-queue-log`` a block of lines at a time, the JSON written from templates.

Why: the reference path (``QueueLogMapper.feed`` per line, a dict per event,
``orjson.dumps`` per event, a ``Line`` object per line) cost ~5 us a line, and
a centre's history is hundreds of millions of lines.  Nearly every real line
has one of a few shapes: a whole-second epoch, whole-second durations, an event
this importer maps, and no character JSON would escape.  Those lines are mapped
here, inline, straight to JSON Lines text.  Every other line (fractional or
odd numbers, transfers, unknown events, and every line that would be a dead
letter) goes to the reference mapper, which shares the state (open calls,
lines seen, the summary, the line count that orders agent states), so the
output is the reference's byte for byte; ``tests/importers/test_queue_log_fast.py``
holds the two paths side by side.  The rule that keeps them equal: a line is
checked completely before anything is changed, and a line that fails a check
changes nothing here and is handed over whole.

Files are read in blocks of whole lines (a gzip file line by line, as the
reference reads it, so a damaged file stops at the same line).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from hashlib import blake2b
from pathlib import Path
from typing import IO

import orjson

from pipeline.core.intake import DeadLetter
from pipeline.core.decode import TS_END_TEXT, TS_MIN_TEXT
from pipeline.importers.asterisk_queue_log import (_NO_CALLER, ABANDONS, AGENT_STATES, SKIPPED, BadLine, OpenCall,
                                                   QueueLogMapper, _iso, pseudonymised_caller)
from pipeline.importers.source_files import Unreadable, _unreadable
from pipeline.ingest.input_files import DAMAGED, PackedFileError, open_input

# 256 kB of lines a block (~1 MB of JSON out): 1 MB blocks made 4 MB joins and copies, fresh memory the kernel
# had to map each time and out of the cache (1M lines: 3.06 -> 2.5 s, system time 0.4 -> 0.2 s)
_BLOCK_BYTES = 1 << 18
_GZIP_BLOCK_LINES = 8192
# what orjson escapes in a string: ASCII, so a block is checked in its bytes (a UTF-8 decoder never takes an
# ASCII byte into a replaced sequence), without \n, which separates its lines; 15x faster than a regex on the text
_UNSAFE_BYTES = bytes(c for c in range(0x20) if c != 0x0A) + b'"\\'
_UNSAFE_IN_LINE = re.compile(r'[\x00-\x1f"\\]').search
_NONE = ("", "NONE")
_TS_CACHE_MAX = 1 << 16
# how a line may be mapped here (checked before anything changes); the reference maps everything else
_REFERENCE, _SKIPPED, _ENTER, _CONNECT, _COMPLETE, _ABANDON, _AGENT = range(7)
_KINDS = {**dict.fromkeys(SKIPPED, _SKIPPED), "ENTERQUEUE": _ENTER, "CONNECT": _CONNECT,
          "COMPLETEAGENT": _COMPLETE, "COMPLETECALLER": _COMPLETE, **dict.fromkeys(ABANDONS, _ABANDON),
          **dict.fromkeys(AGENT_STATES, _AGENT)}


def _whole(text: str) -> bool:
    """A duration of digits only, below the reference's ``DURATION_END_S`` (seven digits at most, so ``int`` and
    the reference's ``float`` agree exactly); any other goes to the reference, which refuses or maps it."""
    return len(text) < 8 and text.isdecimal()


def file_blocks(path: Path) -> Iterator[bytes | Unreadable]:
    """The bytes of ``path`` in blocks of whole lines (the last may lack its newline), then where it stopped
    if it could not be read to the end (the line number ``read_lines`` gives)."""
    number = 0
    try:
        with open_input(path) as handle:
            for block in _gzip_blocks(handle) if isinstance(handle, gzip.GzipFile) else _plain_blocks(handle):
                number += block.count(b"\n") + (not block.endswith(b"\n"))
                yield block
    except (PackedFileError, OSError, *DAMAGED) as exc:
        yield _unreadable(path, number + 1, exc, f"{path} could not be read past line {number}: {exc}")


def _plain_blocks(handle: IO[bytes]) -> Iterator[bytes]:
    rest = b""
    while chunk := handle.read(_BLOCK_BYTES):
        cut = chunk.rfind(b"\n") + 1
        if not cut:
            rest += chunk
            continue
        block, rest = rest + chunk[:cut], chunk[cut:]
        yield block
    if rest:
        yield rest


def _gzip_blocks(handle: IO[bytes]) -> Iterator[bytes]:
    """Line by line, as the reference iterates: the lines before a damaged spot are the same lines."""
    lines: list[bytes] = []
    failure: Exception | None = None
    try:
        for raw in handle:
            lines.append(raw)
            if len(lines) == _GZIP_BLOCK_LINES:
                block, lines = b"".join(lines), []
                yield block
    except (OSError, *DAMAGED) as exc:
        failure = exc
    if lines:  # what was read before the damage, then the error goes on up
        yield b"".join(lines)
    if failure is not None:
        raise failure


class FastQueueLog:
    """Writes the JSON Lines of queue_log files through one ``QueueLogMapper`` (its summary is the import's)."""

    def __init__(self, mapper: QueueLogMapper, on_dead_letter: Callable[[DeadLetter], None],
                 pseudonymise: Callable[[str], str]) -> None:
        self.mapper = mapper
        self.on_dead_letter = on_dead_letter
        self.pseudonymise = pseudonymise
        self._ts: dict[float, str] = {}

    def write(self, paths: list[Path], out: IO[bytes]) -> int:
        """Every file in order to ``out``; returns the number of events written."""
        written = 0
        for path in paths:
            number = 0  # lines of this file before the block
            for block in file_blocks(path):
                if isinstance(block, Unreadable):
                    self.mapper.summary.dead[block.reason] += 1
                    self.on_dead_letter(DeadLetter(block.reason, block.detail, b"", block.source))
                    continue
                text = block.decode("utf-8", errors="replace")
                lines = text.split("\n")
                if text.endswith("\n"):
                    lines.pop()
                parts: list[str] = []
                clean = len(block.translate(None, _UNSAFE_BYTES)) == len(block)
                written += self._map_lines(lines, number, str(path), clean, parts)
                number += len(lines)
                out.write("".join(parts).encode())
        return written

    def _reference(self, line: str, number: int, path: str, parts: list[str]) -> int:
        """One line through the reference mapper: its events, or its dead letter."""
        try:
            events = self.mapper.feed(line)
        except BadLine as exc:
            self.on_dead_letter(DeadLetter(exc.reason, f"line {number}: {exc.detail}",
                                           pseudonymised_caller(line.encode(), self.pseudonymise),
                                           f"{path}:{number}"))
            return 0
        parts.extend(orjson.dumps(event).decode() + "\n" for event in events)
        return len(events)

    def _map_lines(self, lines: list[str], number: int, path: str, clean: bool, parts: list[str]) -> int:
        """The hot loop: one pass over a block's lines, everything inline (a call costs as much as a line).

        A line is checked first (``kind`` says which mapping it passed); one that fails goes to the reference
        before anything is changed.  The events are counted once per block, from the rows mapped."""
        summary = self.mapper.summary
        calls, seen = self.mapper.calls, self.mapper._seen
        ts_get, iso = self._ts.get, self._iso
        append = parts.append
        rows: dict[str, int] = {}
        skipped: dict[str, int] = {}
        fed = summary.lines
        written = answered_by_complete = 0
        for line in lines:
            number += 1
            if not clean:
                line = line.rstrip("\r")
            if not line.strip():
                continue
            values = line.split("|")
            # ten digits within the contract's times (compared as text): any other epoch is the reference's
            if (len(values) < 5 or len(values[0]) != 10 or not values[0].isdecimal()
                    or not TS_MIN_TEXT <= values[0] < TS_END_TEXT
                    or (not clean and _UNSAFE_IN_LINE(line))):
                kind = _REFERENCE
            else:
                event = values[4]
                kind = _KINDS.get(event, _REFERENCE)
                if kind == _ENTER:
                    if values[1] in _NONE or values[2] in _NONE:
                        kind = _REFERENCE
                elif kind == _CONNECT:
                    call = calls.get(values[1])
                    # the contact id holds the queue of its ENTERQUEUE line, which may have gone to the reference
                    if (call is None or len(values) < 6 or not _whole(values[5])
                            or (values[2] != call.queue and _UNSAFE_IN_LINE(call.queue))):
                        kind = _REFERENCE
                elif kind == _COMPLETE:
                    call = calls.get(values[1])
                    if (call is None or len(values) < 7 or not _whole(values[6])
                            or (call.answered_s is None and not _whole(values[5]))
                            or (values[2] != call.queue and _UNSAFE_IN_LINE(call.queue))):
                        kind = _REFERENCE
                elif kind == _ABANDON:
                    call = calls.get(values[1])
                    waittime_at = 8 if event == "EXITWITHKEY" else 7
                    if (call is None or (len(values) > waittime_at and not _whole(values[waittime_at]))
                            or (values[2] != call.queue and _UNSAFE_IN_LINE(call.queue))):
                        kind = _REFERENCE
                elif kind == _AGENT:
                    if values[3] in _NONE:
                        kind = _REFERENCE
            if kind == _REFERENCE:
                summary.lines = fed
                written += self._reference(line, number, path, parts)
                fed = summary.lines
                continue
            # checked: from here on the line is mapped here, as the reference maps it
            fed += 1
            if seen is not None:
                digest = blake2b(line.encode(), digest_size=16).digest()
                if digest in seen:
                    skipped["duplicate_line"] = skipped.get("duplicate_line", 0) + 1
                    continue
                seen.add(digest)
            if kind == _SKIPPED:
                skipped[event] = skipped.get(event, 0) + 1
                continue
            rows[event] = rows.get(event, 0) + 1
            if kind == _ENTER:
                callid, queue = values[1], values[2]
                cid = f"{callid}@{queue}@{int(values[0])}"
                epoch = float(values[0])
                calls[callid] = OpenCall(cid, queue, epoch)
                caller = values[6].strip() if len(values) > 6 else ""
                key = "" if caller.lower() in _NO_CALLER else f',"customer_key":"{caller}"'
                append(f'{{"event_id":"{cid}/offered","type":"contact.offered","ts":"{ts_get(epoch) or iso(epoch)}",'
                       f'"contact_id":"{cid}","channel":"voice","queue":"{queue}","direction":"inbound"{key}}}\n')
            elif kind == _CONNECT:
                cid = call.contact_id
                call.answered_s = at = call.entered_s + int(values[5])
                append(f'{{"event_id":"{cid}/answered","type":"contact.answered","ts":"{ts_get(at) or iso(at)}",'
                       f'"contact_id":"{cid}","agent_id":"{values[3] or "NONE"}"}}\n')
            elif kind == _COMPLETE:
                cid, agent = call.contact_id, values[3] or "NONE"
                del calls[values[1]]
                at = call.answered_s
                if at is None:  # no CONNECT row: the row's own holdtime places the answer
                    at = call.entered_s + int(values[5])
                    append(f'{{"event_id":"{cid}/answered","type":"contact.answered","ts":"{ts_get(at) or iso(at)}",'
                           f'"contact_id":"{cid}","agent_id":"{agent}"}}\n')
                    answered_by_complete += 1
                at += int(values[6])
                ts = ts_get(at) or iso(at)
                append(f'{{"event_id":"{cid}/ended","type":"contact.ended","ts":"{ts}","contact_id":"{cid}"}}\n'
                       f'{{"event_id":"{cid}/wrapup_completed","type":"contact.wrapup_completed","ts":"{ts}",'
                       f'"contact_id":"{cid}","agent_id":"{agent}"}}\n')
            elif kind == _ABANDON:
                cid = call.contact_id
                del calls[values[1]]
                at = call.entered_s + int(values[waittime_at]) if len(values) > waittime_at else float(values[0])
                append(f'{{"event_id":"{cid}/abandoned","type":"contact.abandoned","ts":"{ts_get(at) or iso(at)}",'
                       f'"contact_id":"{cid}","reason":"{ABANDONS[event]}"}}\n')
            else:  # an agent state
                reason = (f',"reason":"{values[5]}"' if (event == "PAUSE" or event == "PAUSEALL")
                          and len(values) > 5 and values[5] else "")
                event_id = "aq-" + blake2b(line.encode(), digest_size=12).hexdigest()
                epoch = float(values[0])
                append(f'{{"event_id":"{event_id}","type":"agent.state","ts":"{ts_get(epoch) or iso(epoch)}",'
                       f'"agent_id":"{values[3]}","state":"{AGENT_STATES[event]}","seq":{fed}{reason}}}\n')
        summary.lines = fed
        return written + self._count(rows, skipped, answered_by_complete)

    def _count(self, rows: dict[str, int], skipped: dict[str, int], answered_by_complete: int) -> int:
        """The block's rows and skips into the summary, and the events they wrote (what ``_emit`` counts)."""
        summary = self.mapper.summary
        _add(summary.rows, rows)
        _add(summary.skipped, skipped)
        ended = sum(n for event, n in rows.items() if _KINDS[event] == _COMPLETE)
        kinds = {"contact.offered": rows.get("ENTERQUEUE", 0),
                 "contact.answered": rows.get("CONNECT", 0) + answered_by_complete,
                 "contact.ended": ended, "contact.wrapup_completed": ended,
                 "contact.abandoned": sum(n for event, n in rows.items() if _KINDS[event] == _ABANDON),
                 "agent.state": sum(n for event, n in rows.items() if _KINDS[event] == _AGENT)}
        _add(summary.events, {name: n for name, n in kinds.items() if n})
        return sum(kinds.values())

    def _iso(self, seconds: float) -> str:
        if len(self._ts) >= _TS_CACHE_MAX:
            self._ts.clear()
        text = self._ts[seconds] = _iso(seconds)
        return text


def _add(counter: dict[str, int], counts: dict[str, int]) -> None:
    for name, n in counts.items():
        counter[name] = counter.get(name, 0) + n


def write_queue_log(paths: list[Path], on_dead_letter: Callable[[DeadLetter], None], mapper: QueueLogMapper,
                    out: IO[bytes], *, pseudonymise: Callable[[str], str]) -> int:
    """The events of every line in file order as JSON Lines to ``out`` (what ``import_queue_log`` yields, each
    ``orjson.dumps``-ed with a newline); bad lines go to ``on_dead_letter`` with the caller id pseudonymised.
    Returns the events written; the summary is ``mapper.finish()``."""
    return FastQueueLog(mapper, on_dead_letter, pseudonymise).write(paths, out)
