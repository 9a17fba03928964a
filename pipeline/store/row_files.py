"""A table's rows in a file, for backups of a ClickHouse server store read through clickhouse-driver.

chDB writes ClickHouse's own Native format (``INTO OUTFILE``); the server's
rows come back to Python, so they go to a file of length-prefixed msgpack
frames: a header with the column names and types, then blocks of rows.  The
types say how to decode each value (a DateTime comes back a datetime, a
Nullable None), so a restore inserts exactly the values that were read.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

MAGIC = b"cckpi-rows-1\n"
_LENGTH = struct.Struct(">I")
Column = tuple[str, str]  # name, ClickHouse type


class Header(msgspec.Struct):
    columns: list[Column]


def python_type(clickhouse_type: str) -> Any:
    """The Python type clickhouse-driver reads and writes for a column type of the store's tables."""
    if clickhouse_type.startswith("Nullable("):
        return python_type(clickhouse_type[9:-1]) | None
    if clickhouse_type.startswith("Array("):
        return list[python_type(clickhouse_type[6:-1])]  # type: ignore[misc]
    if clickhouse_type.startswith("DateTime"):
        return datetime
    if clickhouse_type == "Date":
        return date
    if clickhouse_type.startswith(("Int", "UInt")):
        return int
    if clickhouse_type.startswith("Float"):
        return float
    return str  # String, FixedString, Enum8/16 (by name)


def write(path: Path, columns: list[Column], blocks: Iterable[list[tuple[Any, ...]]]) -> int:
    """A new file of ``blocks`` of rows; returns how many rows it holds."""
    encoder = msgspec.msgpack.Encoder()
    rows = 0
    with path.open("xb") as handle:
        handle.write(MAGIC)
        _frame(handle, encoder.encode(Header(columns)))
        for block in blocks:
            _frame(handle, encoder.encode(block))
            rows += len(block)
    return rows


def read(path: Path) -> tuple[list[Column], Iterator[list[tuple[Any, ...]]]]:
    """The columns and the blocks of a file ``write`` made (blocks are read lazily)."""
    handle = path.open("rb")
    if handle.read(len(MAGIC)) != MAGIC:
        handle.close()
        raise ValueError(f"{path} is not a cckpi row file")
    header = msgspec.msgpack.decode(_next(handle) or b"", type=Header)
    row = tuple.__class_getitem__(tuple(python_type(kind) for _, kind in header.columns))  # type: ignore[attr-defined]
    decoder = msgspec.msgpack.Decoder(list[row])  # type: ignore[valid-type]

    def blocks() -> Iterator[list[tuple[Any, ...]]]:
        with handle:
            while (frame := _next(handle)) is not None:
                yield decoder.decode(frame)
    return header.columns, blocks()


def _frame(handle: BinaryIO, payload: bytes) -> None:
    handle.write(_LENGTH.pack(len(payload)))
    handle.write(payload)


def _next(handle: BinaryIO) -> bytes | None:
    size = handle.read(_LENGTH.size)
    if not size:
        return None
    payload = handle.read(_LENGTH.unpack(size)[0])
    if len(payload) != _LENGTH.unpack(size)[0]:
        raise ValueError(f"{handle.name} ends inside a block: the file is cut short")
    return payload
