"""Rows of a spreadsheet (CSV or XLSX) as dicts keyed by normalised header, each with its row number.

QA teams, survey tools and complaint desks hand their records over as
spreadsheets; the importers of ``pipeline.importers.feedback`` map those rows
to contract events.  The format is known by the file's bytes, not its name
(an XLSX file is a zip: ``PK``), so a renamed export still reads.  CSV may
carry Excel's UTF-8 byte-order mark.  Headers are matched case- and
space-insensitively; cells come back as text (dates as ISO text), so a CSV and
the same sheet saved as XLSX give the same rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any


class SheetError(Exception):
    """The file cannot be read as a sheet; the message names the file and the fix."""


@dataclass(frozen=True)
class SheetRow:
    source: str  # path:row, as dead letters name it
    number: int  # 1 is the header row, as a spreadsheet numbers it
    cells: dict[str, str]  # normalised header -> text ('' for an empty cell)


def header_key(text: str) -> str:
    """``Contact ID`` and ``contact_id`` are one column: lower case, spaces and hyphens as underscores."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float: 3.0 is the count 3
    return str(value).strip()


def read_rows(path: Path) -> Iterator[SheetRow]:
    """Every non-empty data row of the file's first sheet (XLSX) or of the CSV."""
    with path.open("rb") as handle:
        magic = handle.read(2)
    rows = _xlsx(path) if magic == b"PK" else _csv(path)
    header: list[str] | None = None
    for number, values in enumerate(rows, start=1):
        texts = [_text(v) for v in values]
        if header is None:
            header = [header_key(t) for t in texts]
            if not any(header):
                raise SheetError(f"{path}: the first row must name the columns (see docs/importers.md)")
            continue
        if not any(texts):
            continue
        cells = {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(header) if name}
        yield SheetRow(f"{path}:{number}", number, cells)
    if header is None:
        raise SheetError(f"{path}: the file is empty; export the sheet with its header row")


def _csv(path: Path) -> Iterator[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(f"{path}: not UTF-8 text nor an XLSX workbook; save the sheet as CSV UTF-8 or XLSX") from None
    yield from csv.reader(io.StringIO(text, newline=""))


def _xlsx(path: Path) -> Iterator[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for a damaged workbook
        raise SheetError(f"{path}: not a readable XLSX workbook ({type(exc).__name__}); save it again as XLSX "
                         f"or CSV UTF-8") from None
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()
