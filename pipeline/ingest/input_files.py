"""Opening the files people hand us: gzip by its bytes, not by the name; other containers refused by name.

``cckpi replay`` and the importers of other systems' records both read
through here, so a gzip file without ``.gz`` in its name (an export bucket's
object, a renamed rotated log) is read alike by both, and a bzip2, xz, zstd
or zip file gets "decompress it first" instead of thousands of bad lines.
What a damaged file costs is the caller's policy: a replay stops (its input
is the project's own contract), an import dead-letters where the file stopped
and goes on with the next one.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
OTHER_MAGIC = {b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd", b"PK\x03\x04": "zip"}
# a gzip stream cut short (EOFError) or corrupt, met while reading
DAMAGED: tuple[type[Exception], ...] = (EOFError, gzip.BadGzipFile, zlib.error)


class PackedFileError(ValueError):
    """The file is in a container we do not unpack; the message names it and the fix."""


@contextmanager
def open_input(path: str | Path) -> Iterator[BinaryIO]:
    """The bytes of ``path`` (``"-"``: standard input, left open), through gzip when they start with its magic."""
    stdin = str(path) == "-"
    raw: BinaryIO = sys.stdin.buffer if stdin else open(path, "rb")  # noqa: SIM115 - closed below
    try:
        head = raw.peek(6)[:6] if hasattr(raw, "peek") else b""
        kind = next((name for magic, name in OTHER_MAGIC.items() if head.startswith(magic)), None)
        if kind is not None:
            raise PackedFileError(f"{'stdin' if stdin else path} is a {kind} file; decompress it first")
        if head.startswith(GZIP_MAGIC):
            with gzip.GzipFile(fileobj=raw, mode="rb") as unpacked:
                yield unpacked  # type: ignore[misc]
        else:
            yield raw
    finally:
        if not stdin:
            raw.close()
