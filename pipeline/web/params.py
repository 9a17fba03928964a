"""Query parameters to typed requests; a bad one is a ``BadParameter`` naming it (the app answers 400).

A range is also refused when it asks for more than one request may read
(``settings.serve_limits``): the message names the limit and its setting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from starlette.datastructures import QueryParams

from pipeline.core import intervals
from pipeline.i18n import LANGUAGES
from pipeline.report.build import GROUPINGS, ReportRequest
from pipeline.settings import Settings
from pipeline.store.contacts import MAX_LIMIT, OUTCOMES, ContactFilter

T = TypeVar("T")
REPORT_FORMATS = ("json", "csv")
CONTACT_FORMATS = ("json", "csv", "xlsx")
DIRECTIONS = ("inbound", "outbound")
DAY_MS = 86_400_000
# instants the store can hold and a person means: 1970-01-01 to 2099-12-31 (UTC)
EARLIEST_MS, LATEST_MS = 0, 4_102_444_800_000


class BadParameter(ValueError):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


def _one(params: QueryParams, name: str, default: str | None = None) -> str:
    value = params.get(name, default)
    if value is None or value == "":
        if default is not None:
            return default
        raise BadParameter(name, "required")
    return value


def _choice(params: QueryParams, name: str, choices: tuple[str, ...], default: str) -> str:
    value = _one(params, name, default)
    if value not in choices:
        raise BadParameter(name, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _instant(params: QueryParams, name: str, settings: Settings) -> int:
    text = _one(params, name)
    try:
        instant = intervals.parse_instant(text, settings.zone)
    except (ValueError, OverflowError):  # year 1 in a zone east of UTC overflows
        raise BadParameter(name, f"{text!r} is not an ISO date or date-time such as 2026-11-02T09:00+08:00") from None
    if not EARLIEST_MS <= instant < LATEST_MS:
        raise BadParameter(name, f"{text!r} is not between 1970-01-01 and 2099-12-31")
    return instant


def _capped_range(start: int, end: int, max_days: int, setting: str) -> None:
    if end <= start:
        raise BadParameter("to", "must be after from")
    if end - start > max_days * DAY_MS:
        raise BadParameter("to", f"the range is over {max_days} days, the most one request may read "
                           f"(CCKPI_SERVE_LIMITS__{setting}); ask for a shorter one")


def _capped_intervals(start: int, end: int, interval: str, by: tuple[str, ...], settings: Settings) -> None:
    """Grouped by interval, the rows grow with the range over the interval's length, and again per agent."""
    if "interval" not in by:
        return
    limits = settings.serve_limits
    most, setting = ((limits.agent_report_max_intervals, "AGENT_REPORT_MAX_INTERVALS") if "agent" in by
                     else (limits.report_max_intervals, "REPORT_MAX_INTERVALS"))
    length_ms = intervals.INTERVALS[interval] * 60_000
    if -(-(end - start) // length_ms) > most:
        raise BadParameter("to", f"the range holds over {most} intervals of {interval} grouped by {','.join(by)}, "
                           f"the most one request may read (CCKPI_SERVE_LIMITS__{setting}); ask for a shorter "
                           "range or a longer interval")


def _listed(params: QueryParams, name: str) -> tuple[str, ...]:
    """Repeated or comma-separated values, in order, without repeats."""
    parts = [p.strip() for value in params.getlist(name) for p in value.split(",") if p.strip()]
    return tuple(dict.fromkeys(parts))


def _checked(name: str, build: Callable[[], T]) -> T:
    try:
        return build()
    except ValueError as exc:
        raise BadParameter(name, str(exc).lstrip("-")) from None


def report_request(params: QueryParams, settings: Settings) -> tuple[ReportRequest, str]:
    """The same request ``cckpi report`` builds from its options, and the format."""
    start, end = _instant(params, "from", settings), _instant(params, "to", settings)
    by = _listed(params, "by") or ("queue",)
    unknown = [b for b in by if b not in GROUPINGS]
    if unknown:
        raise BadParameter("by", f"{','.join(unknown)}: choose from {', '.join(GROUPINGS)}")
    interval = _choice(params, "interval", tuple(intervals.INTERVALS), "1d")
    direction = _choice(params, "direction", DIRECTIONS, "inbound")
    _capped_range(start, end, settings.serve_limits.report_max_days, "REPORT_MAX_DAYS")
    _capped_intervals(start, end, interval, by, settings)
    request = _checked("by", lambda: ReportRequest(start, end, by, interval, _listed(params, "queue"), direction))
    return request, _choice(params, "format", REPORT_FORMATS, "json")


def contact_filter(params: QueryParams, settings: Settings) -> ContactFilter:
    start, end = _instant(params, "from", settings), _instant(params, "to", settings)
    _capped_range(start, end, settings.serve_limits.contacts_max_days, "CONTACTS_MAX_DAYS")
    outcome = params.get("outcome", "")
    if outcome and outcome not in OUTCOMES:
        raise BadParameter("outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES)}")
    channel = params.get("channel", "")
    return ContactFilter(start, end, _listed(params, "queue"), params.get("agent_id", ""), channel, outcome,
                         _choice(params, "direction", DIRECTIONS, "inbound"))


def contact_paging(params: QueryParams) -> tuple[int, str | None, str]:
    text = _one(params, "limit", "500")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:  # int("²") raises
        raise BadParameter("limit", f"{text!r} is not a whole number from 1 to {MAX_LIMIT}")
    return int(text), params.get("cursor") or None, _choice(params, "format", CONTACT_FORMATS, "json")


def now_param(params: QueryParams, settings: Settings) -> int | None:
    return _instant(params, "now", settings) if params.get("now") else None


def language(params: QueryParams, default: str) -> str:
    return _choice(params, "lang", LANGUAGES, default)
