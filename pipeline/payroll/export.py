"""CSV and XLSX exports of the payroll sheet, byte-reproducible.

The same rows and metadata always give the same bytes: CSV is plain text in
column order; the workbook's created/modified properties are fixed (the close
time of a closed month) and every ZIP entry gets a fixed timestamp, because
openpyxl stamps both with the wall clock.  That is what lets a closed month be
re-exported and compared byte for byte.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

NUMBER_FORMATS = {"int": "0", "float": "0.00", "rate": "0.0%", "hours": "0.00", "money": "#,##0.00",
                  "points": "0.##"}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class SheetMeta:
    """What the second sheet shows besides the totals."""

    month: str
    tz: str
    policy_name: str
    policy_text: str
    currency: str
    checksum: str = ""
    closed_ms: int | None = None
    not_in_roster: tuple[str, ...] = ()

    @property
    def stamp(self) -> datetime:
        """The workbook's created/modified time: the close instant, or the month's first day when open."""
        if self.closed_ms is not None:
            return datetime.fromtimestamp(self.closed_ms // 1000, timezone.utc).replace(tzinfo=None)
        return datetime.fromisoformat(f"{self.month}-01T00:00:00")


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # already rounded by the sheet
    return str(value)


def csv_bytes(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]) -> bytes:
    """One header line of column keys, one line per agent; UTF-8, ``\\n`` line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key for key, _, _ in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(key), kind) for key, _, kind in columns])
    return out.getvalue().encode("utf-8")


def _cell_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("money", "points"):
        return Decimal(str(value))
    return value


def xlsx_bytes(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]], totals: list[tuple[str, Any]],
               meta: SheetMeta) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Payroll {meta.month}"
    sheet.append([header for _, header, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([_cell_value(row.get(key), kind) for key, _, kind in columns])
    for index, (key, header, kind) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 40 if key == "reasons" else max(10, min(len(header) + 2, 24))
        if kind in NUMBER_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = NUMBER_FORMATS[kind]
    sheet.freeze_panes = "B2"  # header row and agent column stay in view
    _policy_sheet(workbook, totals, meta)
    workbook.properties.creator = "cckpi payroll"
    workbook.properties.title = f"Payroll {meta.month}"
    workbook.properties.created = meta.stamp
    workbook.properties.modified = meta.stamp
    return _fixed_zip(workbook)


def _policy_sheet(workbook: Workbook, totals: list[tuple[str, Any]], meta: SheetMeta) -> None:
    info = workbook.create_sheet("Policy and totals")
    bold = Font(bold=True)
    info.append(["Month totals"])
    info["A1"].font = bold
    for label, value in totals:
        money = label.endswith("total")
        info.append([label, Decimal(value) if money else value])
        if money:
            info.cell(row=info.max_row, column=2).number_format = NUMBER_FORMATS["money"]
    closed = "open (figures may still change)" if meta.closed_ms is None else \
        datetime.fromtimestamp(meta.closed_ms / 1000, timezone.utc).isoformat(timespec="seconds")
    info.append([])
    for label, value in (("closed", closed), ("inputs checksum (sha256)", meta.checksum or "-"),
                         ("time zone", meta.tz), ("currency", meta.currency), ("policy", meta.policy_name),
                         ("agents not in roster", ", ".join(meta.not_in_roster) or "-")):
        info.append([label, value])
    info.append([])
    info.append(["Policy file"])
    info.cell(row=info.max_row, column=1).font = bold
    for line in meta.policy_text.splitlines():
        info.append([line])
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 72


def _fixed_zip(workbook: Workbook) -> bytes:
    """Save without openpyxl's wall-clock stamps: its own writer, then fixed ZIP entry times."""
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()  # save_workbook() would set modified = now
    fixed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
            zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = item.external_attr
            target.writestr(entry, source.read(item.filename))
    return fixed.getvalue()
