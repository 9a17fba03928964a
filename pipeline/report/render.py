"""Report rows as a floor manager's table, JSON for machines, CSV for spreadsheets.

The table is for people: labels from the i18n catalogue, intervals as local
``10:00-10:30``, a totals row, targets marked, columns that mean nothing for
the grouping left out, and never a cut number: when the columns do not fit the
terminal they go on to a second table (the group keys repeated), measured by
rich.  JSON and CSV carry every key at full precision.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from rich.console import Console, Group
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from pipeline.i18n import label
from pipeline.report.build import KEY_NAMES, Report
from pipeline.settings import QueueSettings, Settings
from pipeline.spreadsheet_cells import neutralised

PERCENT_KEYS = {"service_level", "abandon_rate", "answer_rate", "resolution_rate", "acw_share", "frt_within_target_rate", "transfer_rate",
                "fcr_rate", "csat_top2box", "complaint_rate", "escalated_complaint_rate", "fatal_error_share",
                "nonfatal_accuracy", "occupancy"}
DURATION_KEYS = {"asa_s", "aht_s", "avg_talk_s", "avg_hold_s", "avg_acw_s", "frt_avg_s", "frt_p90_s", "logged_in_s"}
# what the table shows, in order (JSON and CSV carry every key); headers are ``report.col.<key>`` labels
TABLE_KEYS = ("offered", "answered", "abandoned", "waiting", "service_level", "abandon_rate", "answer_rate", "asa_s",
              "aht_s", "acw_share", "frt_avg_s", "frt_p90_s", "transfer_rate", "fcr_rate", "resolution_rate",
              "csat_avg", "nps", "qa_avg", "complaint_rate")
AGENT_KEYS = ("handled", "occupancy", "logged_in_s")
# Per agent, the queue's figures mean nothing: an agent is offered only what it answers, and waiting,
# abandons, ASA and service level are the queue's doing, not the agent's.
NOT_PER_AGENT = {"offered", "answered", "abandoned", "waiting", "service_level", "abandon_rate", "answer_rate",
                 "asa_s"}
# Outbound contacts are dialled by the centre: nobody queues, so no service level, abandons or ASA.
NOT_OUTBOUND = {"waiting", "service_level", "abandon_rate", "answer_rate", "asa_s"}
# KPIs whose source is an optional feed that a ratio's denominator cannot reveal as missing: the complaint
# rate is over answered contacts, so data with no complaint events would read 0.0%.  The other optional
# feeds (CSAT, NPS, QA, FCR dispositions, chat first response) are their own denominators and are None
# (shown "–") already when absent.  Transfers are part of a contact's own events and stay 0 when none.
NEEDS_SOURCE = {"complaint_rate": "complaint_events", "escalated_complaint_rate": "complaint_events"}
MET, MISSED = "✓", "✗"


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


def as_csv(rows: Sequence[dict[str, Any]], *, bom: bool = False) -> str:
    """Every key at full precision; ``bom``: a UTF-8 byte-order mark first, so Excel reads it as UTF-8.
    Text that a spreadsheet would run as a formula (a queue named ``=...``) is neutralised."""
    if not rows:
        return ""
    flat = [_flat(row) for row in rows]
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=list(flat[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else neutralised(v) for k, v in row.items()} for row in flat)
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


def columns(report: Report, now_ms: int) -> list[str]:
    """The KPI columns that mean something for this report's grouping, direction and range."""
    request = report.request
    keys = list(TABLE_KEYS)
    if {"agent", "team"} & set(request.by):  # a team is its agents' work
        keys = list(AGENT_KEYS) + [k for k in keys if k not in NOT_PER_AGENT]  # the agent's own figures first
    if request.direction == "outbound":
        keys = [k for k in keys if k not in NOT_OUTBOUND]
    # "waiting" is a live figure: in a range that has ended it is 0 unless contacts never got an outcome,
    # and then it stays, because those contacts are worth seeing
    if request.end_ms <= now_ms and not report.total.get("waiting"):
        keys = [k for k in keys if k != "waiting"]
    return keys


@dataclass(frozen=True)
class Target:
    """A figure with a per-queue target in the settings: met when ``value <= limit`` (or ``>=``).

    ``outbound_field``: the setting for outbound contacts when it differs (AHT: 002 gives 呼入 3 and 呼出 4
    minutes).  A target left unset (None) marks nothing.
    """

    key: str
    field: str
    at_most: bool
    outbound_field: str | None = None

    def limit(self, queue: QueueSettings, direction: str) -> float | None:
        return getattr(queue, self.outbound_field if direction == "outbound" and self.outbound_field else self.field)


TARGETS = (Target("service_level", "sl_target", at_most=False), Target("abandon_rate", "abandon_rate_target", True),
           Target("frt_avg_s", "frt_target_s", at_most=True),
           Target("aht_s", "aht_target_s", at_most=True, outbound_field="aht_target_outbound_s"))


def _common(values: Iterable[float]) -> float | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def marked(key: str, value: Any, queues: frozenset[str], settings: Settings, direction: str = "inbound") -> Text:
    """The cell, with a met/missed marker when the figure has one target for all of the row's queues."""
    text = Text(cell(key, value))
    target = next((t for t in TARGETS if t.key == key), None)
    if target is None or value is None or not queues:
        return text
    limit = _common(target.limit(settings.queue(q), direction) for q in queues)
    if limit is None:  # queues with different targets in one row: no single target to mark against
        return text
    met = value <= limit if target.at_most else value >= limit
    text.append(f" {MET}" if met else f" {MISSED}", style="green" if met else "bold red")
    if not met:
        text.stylize("red", 0, len(text) - 2)
    return text


def sl_header(report: Report, settings: Settings, lang: str) -> str:
    """``SL 30s`` and the abandon mode, or ``SL`` when the report's queues have different thresholds."""
    queues = set().union(*report.queues) if report.queues else set()
    threshold = _common(settings.queue(q).sl_threshold_s for q in queues) if queues else \
        settings.queue_defaults.sl_threshold_s
    head = label("report.col.service_level", lang)
    if threshold is not None:
        head = f"{head} {threshold:g}s"
    mode = report.total.get("sl_abandon_mode")
    return f"{head}\n{label(f'report.mode.{mode}', lang)}"


def interval_label(iso_start: str, minutes: int, with_date: bool) -> str:
    """``10:00-10:30`` in the centre's zone (the ISO start carries its offset); a day is its date."""
    start = datetime.fromisoformat(iso_start)
    if minutes >= 1440:
        return start.date().isoformat()
    end = start + timedelta(minutes=minutes)
    text = f"{start:%H:%M}-{end:%H:%M}"
    return f"{start:%m-%d} {text}" if with_date else text


def _key_cells(report: Report, row: dict[str, Any], lang: str, with_date: bool) -> list[str]:
    from pipeline.core.intervals import INTERVALS

    cells = []
    for name in report.request.by:
        value = row[KEY_NAMES[name]]
        if name == "interval":
            cells.append(interval_label(value, INTERVALS[report.request.interval], with_date))
        elif name == "channel":
            cells.append(label(f"channel.{value}", lang) if value else "–")
        else:
            cells.append(str(value) if value else "–")
    return cells


def _spans_days(report: Report, settings: Settings) -> bool:
    zone = settings.zone
    first = datetime.fromtimestamp(report.request.start_ms / 1000, zone).date()
    last = datetime.fromtimestamp((report.request.end_ms - 1) / 1000, zone).date()
    return first != last


def tables(report: Report, settings: Settings, *, title: str, lang: str, width: int, now_ms: int) -> list[Table]:
    """One table, or several one under the other when the columns do not fit ``width`` (keys repeated).

    Each column is as wide as its widest cell (no cell is cut); columns are
    packed greedily, and rich measures each candidate table.
    """
    keys = columns(report, now_ms)
    with_date = _spans_days(report, settings)
    key_headers = [label(f"group.{KEY_NAMES[name]}", lang) for name in report.request.by]
    headers = {k: label(f"report.col.{k}", lang) for k in keys}
    if "service_level" in headers:
        headers["service_level"] = sl_header(report, settings, lang)
    absent = {k for k, source in NEEDS_SOURCE.items() if not report.sources.get(source)}
    direction = report.request.direction
    every_queue = frozenset().union(*report.queues) if report.queues else frozenset()

    body: list[tuple[list[str], dict[str, Text]]] = []
    if report.request.by:  # --by total: the one row is the total itself
        for row, queues in zip(report.rows, report.queues):
            metrics = {k: Text("–") if k in absent else marked(k, row.get(k), queues, settings, direction)
                       for k in keys}
            body.append((_key_cells(report, row, lang, with_date), metrics))
    total_keys = [label("group.total", lang)] + [""] * (len(report.request.by) - 1) if report.request.by else []
    body.append((total_keys, {k: Text("–") if k in absent else marked(k, report.total.get(k), every_queue, settings,
                                                                     direction)
                              for k in keys}))

    console = Console(width=width, color_system=None)
    unbounded = console.options.update(max_width=10 * width)  # measure the table's natural width, not the clamp
    groups: list[list[str]] = [[]]
    for key in keys:
        candidate = _table(key_headers, headers, groups[-1] + [key], body, "", bool(report.request.by))
        if groups[-1] and Measurement.get(console, unbounded, candidate).maximum > width:
            groups.append([key])
        else:
            groups[-1].append(key)
    out = []
    for number, chosen in enumerate(groups, start=1):
        part = title if number == 1 else f"{label('report.continued', lang)} ({number}/{len(groups)})"
        out.append(_table(key_headers, headers, chosen, body, part, bool(report.request.by)))
    return out


def _table(key_headers: list[str], headers: dict[str, str], keys: list[str],
           body: list[tuple[list[str], dict[str, Text]]], title: str, totals_row: bool) -> Table:
    table = Table(title=title, header_style="bold", show_lines=False)
    for header in key_headers:
        table.add_column(header, no_wrap=True)
    for key in keys:
        table.add_column(headers[key], justify="right", no_wrap=True)
    for number, (key_cells, metrics) in enumerate(body, start=1):
        last = number == len(body)
        table.add_row(*key_cells, *[metrics[k] for k in keys], style="bold" if totals_row and last else None,
                      end_section=totals_row and number == len(body) - 1)
    return table


def as_plain_table(rows: Sequence[dict[str, Any]], title: str) -> Table:
    """Rows of any keys (a contact list), every column as it is, missing as an en dash."""
    table = Table(title=title, header_style="bold")
    for key in rows[0] if rows else ():
        table.add_column(key, no_wrap=True)
    for row in rows:
        table.add_row(*["–" if v is None else str(v) for v in row.values()])
    return table


def legend(report: Report, settings: Settings, lang: str) -> str:
    """One line under the table: what the markers mean and which targets they are against (AHT only when set)."""
    queues = set().union(*report.queues) if report.queues else set()
    direction = report.request.direction
    parts = []
    for target in TARGETS:
        value = _common(target.limit(settings.queue(q), direction) for q in queues) if queues else \
            target.limit(settings.queue_defaults, direction)
        if target.key == "aht_s" and value is None and not any(
                target.limit(settings.queue(q), direction) for q in queues):
            continue  # no AHT target anywhere: nothing marked, nothing to say
        if value is None:
            shown = label("report.per_queue", lang)
        elif target.key in ("frt_avg_s", "aht_s"):
            shown = f"{value:g}s"
        else:
            shown = cell(target.key, value)
        parts.append(f"{label(f'report.col.{target.key}', lang)} {'≤' if target.at_most else '≥'} {shown}")
    return label("report.legend", lang).format(met=MET, missed=MISSED, targets=", ".join(parts))


# a table printed to a file or a pipe (no terminal, no COLUMNS) is laid out for this width (rich would say 80)
DEFAULT_WIDTH = 100


def table_width() -> int:
    """The terminal's width (or ``COLUMNS``); ``DEFAULT_WIDTH`` for a file or a pipe."""
    console = Console()
    return console.width if console.is_terminal or os.environ.get("COLUMNS") else DEFAULT_WIDTH


def printable(report: Report, settings: Settings, *, title: str, lang: str, width: int, now_ms: int) -> Group:
    """The tables and the legend, ready for ``Console(width=width).print``."""
    parts = tables(report, settings, title=title, lang=lang, width=width, now_ms=now_ms)
    return Group(*parts, Text(legend(report, settings, lang), style="dim"))
