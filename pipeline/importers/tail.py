"""Follow a growing log file like ``tail -F``: complete lines only, through rotation and truncation.

The position is (inode, byte offset, line number), so a follower can save it
and resume exactly there.  Rules:

* only lines ending in a newline are handed out; a half-written last line is
  read again once it is complete;
* rotation (the path now names another file): the old file is read to its end
  first, then the new one from its start;
* truncation (the file is shorter than the position): read again from 0;
* resuming at an inode that the path no longer names (rotated while the
  follower was stopped): the rotated file is looked for beside it (any name
  starting with the log's name, e.g. ``queue_log.1``) and finished first;
  if it is gone, the current file is read from its start.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger("cckpi.follow")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Position:
    inode: int
    offset: int
    line: int  # lines read before ``offset``


class FileTail:
    def __init__(self, path: Path, resume: Position | None = None) -> None:
        self.path = path
        self.handle: BinaryIO | None = None
        self.inode = 0
        self.offset = 0
        self.line = 0
        if resume is not None:
            self._resume(resume)

    @property
    def position(self) -> Position:
        return Position(self.inode, self.offset, self.line)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def _open(self, path: Path, offset: int = 0, line: int = 0) -> bool:
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return False
        self.close()
        self.handle, self.inode = handle, os.fstat(handle.fileno()).st_ino
        if os.fstat(handle.fileno()).st_size < offset:  # truncated while we were away
            offset, line = 0, 0
        handle.seek(offset)
        self.offset, self.line = offset, line
        return True

    def _resume(self, at: Position) -> None:
        if self.path.exists() and self.path.stat().st_ino == at.inode:
            self._open(self.path, at.offset, at.line)
            return
        for sibling in sorted(self.path.parent.glob(self.path.name + "*")):
            if sibling != self.path and sibling.stat().st_ino == at.inode:
                log.info("resuming in the rotated file %s at byte %d", sibling, at.offset)
                self._open(sibling, at.offset, at.line)
                return
        log.warning("%s was rotated while stopped and the old file is gone: reading the current one from its start",
                    self.path)

    def read(self, max_bytes: int = CHUNK) -> list[tuple[bytes, int]]:
        """Complete new lines with the line number of each (empty when there is nothing new yet)."""
        if self.handle is None and not self._open(self.path):
            return []
        assert self.handle is not None
        data = self.handle.read(max_bytes)
        cut = data.rfind(b"\n") + 1
        if cut == 0 and len(data) == max_bytes:
            cut = len(data)  # a "line" longer than a whole batch: handed on in pieces (each a dead letter)
        if cut == 0:
            self.handle.seek(self.offset)  # nothing complete: leave the partial line for later
            self._check_replaced()
            return []
        self.handle.seek(self.offset + cut)
        lines = []
        for raw in data[:cut].splitlines(keepends=True):
            self.line += 1
            lines.append((raw, self.line))
        self.offset += cut
        return lines

    def _check_replaced(self) -> None:
        """At the end of the file: has the path been rotated to a new file, or truncated?"""
        try:
            current = self.path.stat()
        except FileNotFoundError:
            return  # between the rename and the new file: keep the old one
        if current.st_ino != self.inode:
            log.info("%s was rotated: continuing in the new file", self.path)
            self._open(self.path)
        elif current.st_size < self.offset:
            log.info("%s was truncated: reading it again from the start", self.path)
            self._open(self.path)
