"""QA sheets, surveys and complaints from spreadsheets -> ``qa.evaluated``, ``survey.*`` and ``complaint.filed``.

The column mapping (English names, and the Chinese headers these sheets
usually carry) is the table ``COLUMNS`` below, documented in
docs/importers.md.  Every row becomes events or one dead letter with the
reason; none is dropped.  Each event is checked by the contract's own decoder
before it is written, so a row the pipeline would reject is a dead letter here
already, with its row number.

Event ids are derived from what identifies the record (an id column when the
sheet has one, else its contact, agent, source and time), never from the row
number or the content: importing the same sheet again, or a sheet that
gained rows, gives the old rows their old ids and the pipeline drops them as
duplicates; a row whose figures were corrected keeps its id and is reported
as a conflicting duplicate, not counted twice.

A customer column is pseudonymised here, with the pipeline's key and
function, so neither the events file nor a dead letter holds a phone number,
and the pseudonym is the one ``contact.offered`` gets for the same customer.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from pipeline.core.decode import TS_END_S, TS_MIN_S, TS_RANGE, Accepted, decode
from pipeline.core.intake import DeadLetter
from pipeline.importers.sheet_rows import SheetError, SheetRow

KINDS = ("qa-sheet", "surveys", "complaints")
# canonical column -> headers that mean it (matched after sheet_rows.header_key), per kind
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "qa-sheet": {
        "evaluation_id": ("评估编号", "质检编号"),
        "contact_id": ("contact", "工单号", "通话编号", "录音编号"),
        "agent_id": ("agent", "工号", "坐席工号"),
        "evaluated_at": ("ts", "质检时间", "质检日期", "评估时间"),
        "score": ("qa_score", "质检得分", "得分"),
        "fatal_errors": ("致命错误",),
        "nonfatal_errors": ("非致命错误",),
        "opportunities": ("检查项", "检查项数"),
        "source": ("来源", "质检来源"),
        "business_errors": ("业务差错",),
        "tariff_errors": ("资费差错",),
        "fraud_orders": ("诈单",),
    },
    "surveys": {
        "contact_id": ("contact", "工单号", "通话编号"),
        "answered_at": ("ts", "survey_time", "评价时间"),
        "csat": ("满意度",),
        "csat_scale": ("scale", "量表"),
        "nps": ("推荐度", "推荐分"),
        "customer": ("customer_id", "客户", "客户号码", "手机号"),
    },
    "complaints": {
        "complaint_id": ("投诉编号",),
        "agent_id": ("agent", "工号", "坐席工号"),
        "filed_at": ("ts", "投诉时间"),
        "contact_id": ("contact", "工单号", "通话编号"),
        "valid": ("有效", "是否有效"),
        "escalated": ("升级", "是否升级"),
        "customer": ("customer_id", "客户", "客户号码", "手机号"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "qa-sheet": ("contact_id", "agent_id", "evaluated_at", "score"),
    "surveys": ("contact_id", "answered_at"),
    "complaints": ("agent_id", "filed_at", "valid"),
}
COUNTS = ("fatal_errors", "nonfatal_errors", "opportunities", "business_errors", "tariff_errors", "fraud_orders")
SOURCES = {"internal": "internal", "内部": "internal", "external": "external", "外部": "external"}
THREE_OPTIONS = {"满意": 3, "一般": 2, "不满意": 1, "satisfied": 3, "neutral": 2, "dissatisfied": 1}
YES = {"1", "true", "yes", "y", "是", "有效", "升级"}
NO = {"0", "false", "no", "n", "否", "无效", "未升级", ""}


class RowError(Exception):
    """A row that cannot become an event: ``reason`` is a dead-letter reason, the message says which cell."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass
class SheetSummary:
    rows: int = 0
    events: Counter[str] = field(default_factory=Counter)
    dead: Counter[str] = field(default_factory=Counter)
    ignored_columns: tuple[str, ...] = ()


def columns_of(kind: str, headers: Iterable[str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Header -> canonical column, and the headers nothing maps (reported, not an error: sheets carry
    comments).  A required column missing is a ``SheetError`` naming it and the headers it may have."""
    known = {name: name for name in COLUMNS[kind]} | {a: name for name, aliases in COLUMNS[kind].items()
                                                       for a in aliases}
    found = {h: known[h] for h in headers if h in known}
    missing = [name for name in REQUIRED[kind] if name not in found.values()]
    if missing:
        name = missing[0]
        raise SheetError(f"{kind}: no column {name!r}; name one column {name} (or "
                         f"{' / '.join(COLUMNS[kind][name])}), see docs/importers.md")
    return found, tuple(h for h in headers if h not in known)


def event_id(kind: str, *parts: str) -> str:
    """A stable id from what identifies the record: the same record always gets the same id."""
    digest = hashlib.sha256("\x1f".join((kind, *parts)).encode()).hexdigest()[:32]
    return f"sheet-{kind}-{digest}"


def _instant(cells: dict[str, str], name: str, zone: ZoneInfo) -> str:
    text = cells.get(name, "")
    try:
        value = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise RowError("bad_timestamp", f"{name} {text!r} is not a date-time; write 2026-11-02 09:00") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    if not TS_MIN_S <= value.timestamp() < TS_END_S:  # year 1 in UTC+8 is before year 1 in UTC: a traceback once
        raise RowError("bad_timestamp", f"{name} {text!r} is outside {TS_RANGE}")
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _number(cells: dict[str, str], name: str, default: str | None = None) -> float:
    text = cells.get(name, "") or (default or "")
    try:
        return float(text)
    except ValueError:
        raise RowError("wrong_type" if text else "missing_field",
                       f"{name} {text!r} is not a number" if text else f"{name} is empty") from None


def _count(cells: dict[str, str], name: str) -> int:
    value = _number(cells, name, "0")
    if not value.is_integer() or value < 0:
        raise RowError("out_of_range", f"{name} {cells.get(name)!r} must be a whole number >= 0")
    return int(value)


def _flag(cells: dict[str, str], name: str) -> bool:
    text = cells.get(name, "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise RowError("invalid_value", f"{name} {cells.get(name)!r} is not yes/no (是/否, 1/0, true/false)")


def _qa(cells: dict[str, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    source = SOURCES.get(cells.get("source", "").strip().lower() or "internal")
    if source is None:
        raise RowError("invalid_value", f"source {cells['source']!r}: write internal/external (内部/外部)")
    ts = _instant(cells, "evaluated_at", zone)
    ident = cells.get("evaluation_id") or "\x1f".join((cells["contact_id"], cells["agent_id"], source, ts))
    event = {"event_id": event_id("qa", ident), "type": "qa.evaluated", "ts": ts, "contact_id": cells["contact_id"],
             "agent_id": cells["agent_id"], "score": _number(cells, "score"), "source": source}
    event.update({name: _count(cells, name) for name in COUNTS})
    return [event]


def _csat(cells: dict[str, str], default_scale: str) -> tuple[int, str]:
    text = cells["csat"].strip()
    scale = cells.get("csat_scale", "").strip() or default_scale
    if text.lower() in THREE_OPTIONS:
        return THREE_OPTIONS[text.lower()], "3-option"
    value = _number(cells, "csat")
    if not value.is_integer():
        raise RowError("out_of_range", f"csat {text!r} must be a whole number on the {scale} scale")
    return int(value), scale


def _surveys(cells: dict[str, str], zone: ZoneInfo, default_scale: str) -> list[dict[str, Any]]:
    ts = _instant(cells, "answered_at", zone)
    common = {"ts": ts, "contact_id": cells["contact_id"]}
    if cells.get("customer"):
        common["customer_key"] = cells["customer"]  # already pseudonymised (convert)
    events = []
    if cells.get("csat", "").strip():
        score, scale = _csat(cells, default_scale)
        events.append({"event_id": event_id("csat", cells["contact_id"], ts), "type": "survey.csat", **common,
                       "score": score, "scale": scale})
    if cells.get("nps", "").strip():
        value = _number(cells, "nps")
        if not value.is_integer():
            raise RowError("out_of_range", f"nps {cells['nps']!r} must be a whole number 0-10")
        events.append({"event_id": event_id("nps", cells["contact_id"], ts), "type": "survey.nps", **common,
                       "score": int(value)})
    if not events:
        raise RowError("missing_field", "neither csat nor nps has a score; fill one or remove the row")
    return events


def _complaints(cells: dict[str, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    ts = _instant(cells, "filed_at", zone)
    ident = cells.get("complaint_id") or "\x1f".join((cells["agent_id"], cells.get("contact_id", ""), ts))
    event: dict[str, Any] = {"event_id": event_id("complaint", ident), "type": "complaint.filed", "ts": ts,
                             "agent_id": cells["agent_id"], "valid": _flag(cells, "valid"),
                             "escalated": _flag(cells, "escalated")}
    if cells.get("contact_id"):
        event["contact_id"] = cells["contact_id"]
    if cells.get("customer"):
        event["customer_key"] = cells["customer"]
    return [event]


def convert(kind: str, rows: Iterable[SheetRow], zone: ZoneInfo, pseudonymise: Callable[[str], str],
            dead: Callable[[DeadLetter], None], summary: SheetSummary, csat_scale: str = "1-5",
            ) -> Iterator[dict[str, Any]]:
    """The events of every row, in row order; a bad row is one dead letter (its cells, customer pseudonymised)."""
    mapping: dict[str, str] | None = None
    for row in rows:
        if mapping is None:
            mapping, summary.ignored_columns = columns_of(kind, row.cells)
        cells = {mapping[h]: v.strip() for h, v in row.cells.items() if h in mapping}
        if cells.get("customer"):
            cells["customer"] = pseudonymise(cells["customer"])
        summary.rows += 1
        try:
            missing = [name for name in REQUIRED[kind] if not cells.get(name)]
            if missing:
                raise RowError("missing_field", f"{missing[0]} is empty")
            made = (_qa(cells, zone) if kind == "qa-sheet" else _surveys(cells, zone, csat_scale)
                    if kind == "surveys" else _complaints(cells, zone))
            for event in made:
                outcome = decode(orjson.dumps(event))
                if not isinstance(outcome, Accepted):
                    raise RowError(outcome.reason, outcome.detail)
        except RowError as exc:
            summary.dead[exc.reason] += 1
            dead(DeadLetter(exc.reason, f"row {row.number}: {exc}", orjson.dumps(cells), row.source))
            continue
        for event in made:
            summary.events[event["type"]] += 1
            yield event
