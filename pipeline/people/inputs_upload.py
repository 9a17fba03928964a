"""Supervisor inputs uploaded on the web: CSV or XLSX in, the CLI's CSV text and checks out.

An XLSX upload's first sheet becomes the CSV ``payroll inputs`` reads, so one
parser (``pipeline.payroll.inputs.parse_inputs``) judges every upload.  A
supervisor's upload holds rows of their own team only; it replaces those
agents' rows in the inputs in force and keeps every other agent's, so one
team's upload never erases another's.  A clerk's upload replaces the month's
inputs whole, as ``cckpi payroll inputs`` does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from openpyxl import load_workbook

from pipeline.payroll.inputs import InputsError


def xlsx_to_csv(data: bytes, source: str) -> str:
    """The first sheet as CSV text (empty cells empty, numbers as written)."""
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputsError(f"{source}: not a readable XLSX workbook; upload .xlsx or .csv") from None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if v is None else str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                 for v in row]
        if any(cells):
            writer.writerow(cells)
    return out.getvalue()


def upload_text(data: bytes, filename: str) -> str:
    """The upload as CSV text: XLSX by its name or its zip signature, else UTF-8 CSV."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return xlsx_to_csv(data, filename)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputsError(f"{filename}: not UTF-8 text; save the CSV as UTF-8 or upload .xlsx") from None


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    return header, [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def uploaded_agents(text: str) -> list[str]:
    return [row.get("agent_id", "") for row in _rows(text)[1]]


def merge(previous: str, uploaded: str, owned: Callable[[str], bool]) -> str:
    """The inputs in force with the uploaded agents' rows (all of them, per-day rows too) replaced; every
    uploaded agent must be ``owned``; the columns are the union of both headers, in order."""
    for index, agent in enumerate(uploaded_agents(uploaded), start=2):
        if not owned(agent):
            raise PermissionError(f"row {index}, column agent_id: agent {agent!r} is not in your team; upload "
                                  f"rows of your own team only")
    old_header, old_rows = _rows(previous) if previous else ([], [])
    new_header, new_rows = _rows(uploaded)
    replaced = {row.get("agent_id", "") for row in new_rows}
    header = ["agent_id"] + [c for c in dict.fromkeys(old_header + new_header) if c != "agent_id"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in [r for r in old_rows if r.get("agent_id", "") not in replaced] + new_rows:
        writer.writerow({name: row.get(name, "") for name in header})
    return out.getvalue()
