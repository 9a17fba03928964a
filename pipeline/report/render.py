"""Report rows as a floor manager's table, JSON for machines, CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import orjson
from rich.table import Table

PERCENT_KEYS = {"service_level", "abandon_rate", "acw_share", "frt_within_target_rate", "transfer_rate",
                "fcr_rate", "csat_top2box", "complaint_rate", "escalated_complaint_rate", "fatal_error_share",
                "nonfatal_accuracy", "occupancy"}
DURATION_KEYS = {"asa_s", "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "frt_avg_s", "frt_p90_s", "logged_in_s"}
# what the table shows, in order (JSON and CSV carry every key)
TABLE_COLUMNS = (
    ("offered", "Offered"), ("answered", "Answ"), ("abandoned", "Aband"), ("waiting", "Waiting"),
    ("service_level", "SL"),
    ("abandon_rate", "Aband%"), ("asa_s", "ASA"), ("aht_s", "AHT"), ("acw_share", "ACW%"),
    ("frt_avg_s", "FRT"), ("frt_p90_s", "FRT p90"), ("transfer_rate", "Xfer%"), ("fcr_rate", "FCR"),
    ("csat_avg", "CSAT"), ("nps", "NPS"), ("qa_avg", "QA"), ("complaint_rate", "Compl%"),
)
AGENT_COLUMNS = (("handled", "Handled"), ("occupancy", "Occ"), ("logged_in_s", "Logged in"))


def as_json(rows: Sequence[dict[str, Any]]) -> str:
    return orjson.dumps(list(rows), option=orjson.OPT_INDENT_2).decode()


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A nested count (``abandoned_by_reason``) as one column per part: ``abandoned_by_reason.timeout``."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            out.update({f"{key}.{part}": v for part, v in value.items()})
        else:
            out[key] = value
    return out


def as_csv(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return ""
    flat = [_flat(row) for row in rows]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(flat[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in flat)
    return buffer.getvalue()


def cell(key: str, value: Any) -> str:
    """Percentages as percentages, seconds as m:ss, missing as an en dash."""
    if value is None:
        return "–"
    if key in PERCENT_KEYS:
        return f"{value * 100:.1f}%"
    if key in DURATION_KEYS:
        seconds = round(value)
        hours, rest = divmod(seconds, 3600)
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
    if isinstance(value, float):
        return f"{value:.2f}" if key != "nps" else f"{value:.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def as_table(rows: Sequence[dict[str, Any]], group_keys: Sequence[str], title: str) -> Table:
    agent = "agent_id" in group_keys
    columns = TABLE_COLUMNS + (AGENT_COLUMNS if agent else ())
    table = Table(title=title, header_style="bold", show_lines=False)
    for key in group_keys:
        table.add_column(key, no_wrap=True)
    for _, header in columns:
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(*[str(row[k]) for k in group_keys], *[cell(k, row.get(k)) for k, _ in columns])
    return table


def as_plain_table(rows: Sequence[dict[str, Any]], title: str) -> Table:
    """Rows of any keys (a contact list), every column as it is, missing as an en dash."""
    table = Table(title=title, header_style="bold")
    for key in rows[0] if rows else ():
        table.add_column(key, no_wrap=True)
    for row in rows:
        table.add_row(*["–" if v is None else str(v) for v in row.values()])
    return table
