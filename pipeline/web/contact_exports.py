"""Contacts as files a floor manager opens: CSV with a BOM (Excel on Chinese Windows reads it as UTF-8) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from openpyxl import Workbook

BOM = "\ufeff"


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _lines(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def csv_chunks(columns: Sequence[str], rows: Iterable[dict[str, Any]], chunk: int = 1000) -> Iterator[str]:
    """The BOM and header, then the rows in chunks, so a month's export streams instead of filling memory."""
    yield BOM + _lines([columns])
    batch: list[list[Any]] = []
    for row in rows:
        batch.append([_text(row[c]) for c in columns])
        if len(batch) >= chunk:
            yield _lines(batch)
            batch = []
    if batch:
        yield _lines(batch)


def xlsx_bytes(columns: Sequence[str], rows: Iterable[dict[str, Any]], sheet: str = "contacts") -> bytes:
    book = Workbook(write_only=True)
    table = book.create_sheet(sheet)
    table.append(list(columns))
    for row in rows:
        table.append([row[c] for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
