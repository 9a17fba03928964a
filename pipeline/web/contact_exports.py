"""Contacts as files a floor manager opens: CSV with a BOM (Excel on Chinese Windows reads it as UTF-8) and XLSX.

Both stream: CSV in chunks of rows, XLSX through openpyxl's write-only
workbook into a temporary file then out in chunks, so a month's export never
sits whole in memory. Every cell goes through ``spreadsheet_cells.neutralised``
(a contact's queue or agent id starting with ``=`` must not become a formula).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from openpyxl import Workbook

from pipeline.spreadsheet_cells import neutralised, neutralised_row

BOM = "\ufeff"
CHUNK_BYTES = 64 * 1024


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralised(value)


def _lines(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_chunks(columns: Sequence[str], rows: Iterable[dict[str, Any]], chunk: int = 1000) -> Iterator[str]:
    """The BOM and header, then the rows in chunks."""
    yield BOM + _lines([columns])
    batch: list[list[Any]] = []
    for row in rows:
        batch.append([_text(row[c]) for c in columns])
        if len(batch) >= chunk:
            yield _lines(batch)
            batch = []
    if batch:
        yield _lines(batch)


def xlsx_chunks(columns: Sequence[str], rows: Iterable[dict[str, Any]], sheet: str = "contacts") -> Iterator[bytes]:
    """The workbook, written row by row to a temporary file (openpyxl's write-only mode keeps no row), then read
    out in chunks."""
    with tempfile.TemporaryFile() as out:
        book = Workbook(write_only=True)
        table = book.create_sheet(sheet)
        table.append(list(columns))
        for row in rows:
            table.append(neutralised_row(row[c] for c in columns))
        book.save(out)
        out.seek(0)
        while data := out.read(CHUNK_BYTES):
            yield data


def attachment(name: str) -> dict[str, str]:
    """``Content-Disposition`` for a download whatever its name's script (RFC 6266): an ASCII ``filename`` for
    old clients and ``filename*`` in UTF-8 (a header is latin-1: ``售后`` in a plain ``filename`` cannot be sent)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"}
