"""Dead-letter file: one JSON line per rejected message, with the reason and the original bytes."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path

import orjson

from pipeline.core.intake import DeadLetter


def record(letter: DeadLetter) -> bytes:
    """The JSON record of a rejection; bytes that are not UTF-8 travel as base64."""
    body: dict[str, str] = {"reason": letter.reason, "detail": letter.detail, "source": letter.source}
    try:
        body["raw"] = letter.raw.decode()
    except UnicodeDecodeError:
        body["raw_base64"] = base64.b64encode(letter.raw).decode()
    return orjson.dumps(body)


def append(path: Path, letters: Iterable[DeadLetter]) -> int:
    lines = [record(letter) + b"\n" for letter in letters]
    if lines:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as handle:
            handle.writelines(lines)
    return len(lines)
