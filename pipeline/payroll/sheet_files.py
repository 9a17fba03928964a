"""CSV and XLSX exports of the payroll sheet, byte-reproducible, labelled in zh-CN or en.

The same rows, metadata and language always give the same bytes: CSV is
plain text in column order (UTF-8 with a BOM: Excel on a Chinese Windows
otherwise reads names as ANSI and garbles them); the workbook's
created/modified properties are fixed (the close time of a closed month) and
every ZIP entry gets a fixed timestamp, because openpyxl stamps both with the
wall clock.  That is what lets a closed month be re-exported and compared
byte for byte.

The workbook is what a clerk hands to finance: the clerk's columns first,
dates as dates, hours with one decimal, durations as [h]:mm:ss, money in the
policy's currency, an autofilter, a frozen header, a totals row, wrapped
reasons, one sheet per team when asked, the carried adjustments and a sheet
with the policy and the month's totals.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.child import INVALID_TITLE_REGEX
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from pipeline.i18n import label
from pipeline.payroll.sheet import total_label
from pipeline.spreadsheet_cells import neutralised

NUMBER_FORMATS = {"int": "0", "float": "0.00", "rate": "0.0%", "hours": "0.0", "duration": "[h]:mm:ss",
                  "date": "yyyy-mm-dd", "points": "0.##"}
CURRENCY_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "¥"}
# columns summed in the totals row (averages and rates are not summable)
SUMMED_KINDS = frozenset({"money", "hours"})
SUMMED_COUNTS = frozenset({"handled_total", "handled_voice", "handled_chat", "handled_outbound", "csat_responses",
                           "qa_internal_evaluations", "qa_external_evaluations", "business_errors_internal",
                           "business_errors_external", "fraud_orders", "complaints_valid", "complaints_escalated"})
ADJUSTMENT_COLUMNS = (("agent_id", "text"), ("for_month", "text"), ("frozen", "money"), ("now", "money"),
                      ("booked", "money"), ("amount", "money"), ("reason", "text"))
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BOM = "\ufeff".encode()


def money_format(currency: str) -> str:
    """Excel's currency format for the policy's currency (its code when there is no symbol)."""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    return f'"{symbol}"#,##0.00' if symbol else f'#,##0.00 "{currency}"'


@dataclass(frozen=True)
class SheetMeta:
    """What the policy sheet shows besides the totals."""

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


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # already rounded by the sheet
    return str(value)


def csv_bytes(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]]) -> bytes:
    """A UTF-8 BOM, one header line of column keys, one line per agent; ``\\n`` line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([key for key, _, _ in columns])
    for row in rows:
        writer.writerow([_csv_value(neutralised(row.get(key))) for key, _, _ in columns])
    return BOM + out.getvalue().encode("utf-8")


def cell_value(value: Any, kind: str) -> Any:
    """A sheet value as the cell a clerk expects: dates as dates, durations as days, money exact."""
    if value is None or value == "":
        return None
    if kind in ("money", "points"):
        return Decimal(str(value))
    if kind == "date":
        return date.fromisoformat(str(value))
    if kind == "duration":
        return value / 86_400  # Excel durations are fractions of a day
    return neutralised(value)  # an agent id or reason starting with "=" must not become a formula


def _formats(currency: str) -> dict[str, str]:
    return {**NUMBER_FORMATS, "money": money_format(currency)}


def _table(sheet: Worksheet, rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, str]],
           formats: dict[str, str], lang: str, with_totals: bool) -> None:
    """Header, one line per row, formats, wrapped reasons, autofilter, frozen header, totals row."""
    sheet.append([header for _, header, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([cell_value(row.get(key), kind) for key, _, kind in columns])
    last = 1 + len(rows)
    if with_totals:
        sheet.append([_total(rows, key, kind) for key, _, kind in columns])
        sheet.cell(row=last + 1, column=1).value = label("payroll.sheet.totals_row", lang)
        for cell in sheet[last + 1]:
            cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (key, header, kind) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        wide = key in ("reasons", "reason")
        sheet.column_dimensions[letter].width = 48 if wide else max(10, min(len(header) * 2 + 2, 24))
        for (cell,) in sheet.iter_rows(min_row=2, max_row=sheet.max_row, min_col=index, max_col=index):
            if kind in formats:
                cell.number_format = formats[kind]
            if wide:
                cell.alignment = wrap
    sheet.freeze_panes = "B2"  # header row and the name column stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"


def _total(rows: Sequence[dict[str, Any]], key: str, kind: str) -> Any:
    if kind == "money":
        return sum((Decimal(str(r.get(key) or 0)) for r in rows), Decimal(0))
    if kind == "hours":
        return round(sum(float(r.get(key) or 0) for r in rows), 6)
    if key in SUMMED_COUNTS:
        return sum(int(r.get(key) or 0) for r in rows)
    return None


def _title(text: str, taken: set[str]) -> str:
    """A valid, unique sheet title (Excel: 31 characters, no []:*?/\\)."""
    base = re.sub(INVALID_TITLE_REGEX, "_", text)[:31] or "_"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def xlsx_bytes(rows: list[dict[str, Any]], columns: list[tuple[str, str, str]], totals: list[tuple[str, Any]],
               meta: SheetMeta, lang: str = "en", adjustments: Sequence[dict[str, Any]] = (),
               by_team: bool = False) -> bytes:
    formats = _formats(meta.currency)
    workbook = Workbook()
    taken: set[str] = set()
    main = workbook.active
    main.title = _title(f"{label('payroll.sheet.main', lang)} {meta.month}", taken)
    _table(main, rows, columns, formats, lang, with_totals=True)
    if by_team:
        for team in sorted({str(r["team"]) for r in rows}):
            sheet = workbook.create_sheet(_title(team, taken))
            _table(sheet, [r for r in rows if r["team"] == team], columns, formats, lang, with_totals=True)
    if adjustments:
        sheet = workbook.create_sheet(_title(label("payroll.sheet.adjustments", lang), taken))
        adj_columns = [(key, label(f"payroll.adj.{key}", lang), kind) for key, kind in ADJUSTMENT_COLUMNS]
        _table(sheet, adjustments, adj_columns, formats, lang, with_totals=False)
    _policy_sheet(workbook, totals, meta, lang, formats, taken)
    workbook.properties.creator = "cckpi payroll"
    workbook.properties.title = f"Payroll {meta.month}"
    workbook.properties.created = meta.stamp
    workbook.properties.modified = meta.stamp
    return _fixed_zip(workbook)


def _policy_sheet(workbook: Workbook, totals: list[tuple[str, Any]], meta: SheetMeta, lang: str,
                  formats: dict[str, str], taken: set[str]) -> None:
    info = workbook.create_sheet(_title(label("payroll.sheet.policy", lang), taken))
    bold = Font(bold=True)
    info.append([label("payroll.sheet.month_totals", lang)])
    info["A1"].font = bold
    for key, value in totals:
        money = key.endswith("_total")
        info.append([total_label(key, lang), Decimal(value) if money else value])
        if money:
            info.cell(row=info.max_row, column=2).number_format = formats["money"]
    closed = label("payroll.info.open", lang) if meta.closed_ms is None else \
        datetime.fromtimestamp(meta.closed_ms / 1000, timezone.utc).isoformat(timespec="seconds")
    info.append([])
    for key, value in (("closed", closed), ("checksum", meta.checksum or "-"), ("tz", meta.tz),
                       ("currency", meta.currency), ("policy", meta.policy_name),
                       ("not_in_roster", ", ".join(meta.not_in_roster) or "-")):
        info.append([label(f"payroll.info.{key}", lang), neutralised(value)])
    info.append([])
    info.append([label("payroll.sheet.policy_file", lang)])
    info.cell(row=info.max_row, column=1).font = bold
    for line in meta.policy_text.splitlines():
        info.append([neutralised(line)])
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
