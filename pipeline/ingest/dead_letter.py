"""Dead-letter file: one JSON line per rejected message, with the reason and the original bytes."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path

import orjson

from pipeline.core.intake import DeadLetter


def record(letter: DeadLetter) -> bytes:
    """The JSON record of a rejection; bytes that are not UTF-8 travel as base64."""
    body: dict[str, str] = {"reason": letter.reason, "detail": letter.detail, "source": letter.source,
                            **letter.extra}
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
