"""Dead-letter file: one JSON line per rejected message, with the reason, the original bytes and the time."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterable
from pathlib import Path

import orjson

from pipeline.core.intake import DeadLetter


def record(letter: DeadLetter, at_ms: int | None = None) -> bytes:
    """The JSON record of a rejection; bytes that are not UTF-8 travel as base64.  ``at_ms`` is when it was
    rejected (default now): the retention of dead letters (``cckpi store expire``) goes by it."""
    body: dict[str, str | int] = {"reason": letter.reason, "detail": letter.detail, "source": letter.source,
                                  **letter.extra, "at_ms": at_ms if at_ms is not None else int(time.time() * 1000)}
    try:
        body["raw"] = letter.raw.decode()
    except UnicodeDecodeError:
        body["raw_base64"] = base64.b64encode(letter.raw).decode()
    return orjson.dumps(body)


class DeadLetterError(Exception):
    """The dead-letter file cannot be written; the message names it and the fix."""


def _unwritable(path: Path, exc: OSError) -> DeadLetterError:
    why = exc.strerror or str(exc)
    blocking = next((p for p in path.parents if p.exists()), None)
    if blocking is not None and not blocking.is_dir():  # mkdir says "File exists" / "Not a directory"
        why = f"{blocking} is a file, not a folder"
    return DeadLetterError(f"cannot write the dead-letter file {path}: {why}; choose a file in a folder you can "
                           f"write with --dead-letter PATH")


def check_writable(path: Path) -> None:
    """Fail before any event is read, not after the data was processed: open the file for appending once.

    Opening (not ``os.access``) is the real test: root passes every permission
    check, but not a read-only file system or a parent that is a file.  A file
    this check had to create is removed again, so a clean run leaves none.
    """
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass
    except OSError as exc:
        raise _unwritable(path, exc) from None
    if not existed:
        path.unlink(missing_ok=True)


def append(path: Path, letters: Iterable[DeadLetter]) -> int:
    lines = [record(letter) + b"\n" for letter in letters]
    if lines:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("ab") as handle:
                handle.writelines(lines)
        except OSError as exc:  # the disk filled up, or the folder went away, mid-run
            raise _unwritable(path, exc) from None
    return len(lines)


def erase_pseudonym(path: Path, pseudonym: str) -> int:
    """Blank ``pseudonym`` in a dead-letter file (rewritten beside it, then moved in place); returns the
    records that held it."""
    needle = pseudonym.encode()
    lines = path.read_bytes().splitlines(keepends=True)
    touched = sum(1 for line in lines if needle in line)
    if touched:
        fresh = path.with_name(f".{path.name}.erasing")
        fresh.write_bytes(b"".join(line.replace(needle, b"") for line in lines))
        fresh.replace(path)
    return touched


def expire(path: Path, cut_ms: int, dry_run: bool = False) -> int:
    """Remove the records rejected before ``cut_ms`` (one exactly at it stays); returns how many (would) go.

    Records written before dead letters had a time (no ``at_ms``) are given the file's modification time as
    it was at this first pass and rewritten with it: the last moment anything was appended, so never earlier
    than their real time, and they are kept at least as long as the setting says.  The file is rewritten
    beside itself and moved in place; whatever a replay appended meanwhile is carried over first.
    """
    data = path.read_bytes()
    stamp = int(path.stat().st_mtime * 1000)
    kept: list[bytes] = []
    removed, stamped = 0, 0
    for line in data.splitlines(keepends=True):
        try:
            body = orjson.loads(line)
        except orjson.JSONDecodeError:
            kept.append(line)  # not a record this program wrote: left for a person
            continue
        if not isinstance(body, dict):
            kept.append(line)
            continue
        if not isinstance(body.get("at_ms"), int):
            body["at_ms"], stamped = stamp, stamped + 1
            line = orjson.dumps(body) + b"\n"
        if body["at_ms"] < cut_ms:
            removed += 1
        else:
            kept.append(line)
    if (removed or stamped) and not dry_run:
        fresh = path.with_name(f".{path.name}.expiring")
        fresh.write_bytes(b"".join(kept))
        grown = path.read_bytes()[len(data):]
        if grown:
            with fresh.open("ab") as handle:
                handle.write(grown)
        fresh.replace(path)
    return removed
