"""Small PromQL builders shared by the alert rules and the dashboards.

Kept as functions (not string templates) so a queue name is quoted once and a
metric name always comes from ``pipeline.metric_defs``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

_REGEX_SPECIAL = re.compile(r"([\\.^$|?*+()\[\]{}])")


def quote(value: str) -> str:
    """A PromQL double-quoted string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def regex_alternatives(values: list[str]) -> str:
    """``a|b`` matching exactly these values (RE2, anchored by PromQL), quoted for a matcher."""
    return quote("|".join(_REGEX_SPECIAL.sub(r"\\\1", v) for v in values))


def selector(metric: str, **matchers: str) -> str:
    """``metric{label="value",...}``; a value starting with ``!~`` or ``=~`` keeps that operator."""
    parts = []
    for label, value in matchers.items():
        if value.startswith(("!~", "=~")):
            parts.append(f"{label}{value[:2]}{value[2:]}")
        else:
            parts.append(f"{label}={quote(value)}")
    return f"{metric}{{{','.join(parts)}}}" if parts else metric


def duration(seconds: float) -> str:
    """Prometheus duration text (``5m``, ``90s``, ``0s``) for a number of seconds."""
    whole = int(round(seconds))
    if whole == 0:
        return "0s"
    for unit, size in (("h", 3600), ("m", 60)):
        if whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def utc_offset_s(tz: str, at: datetime | None = None) -> int:
    """The zone's UTC offset now (or ``at``); rules must be re-rendered when a DST zone changes offset."""
    moment = at or datetime.now(ZoneInfo(tz))
    offset = moment.astimezone(ZoneInfo(tz)).utcoffset() or timedelta(0)
    return int(offset.total_seconds())


def open_now(opening_hours: str, weekdays: tuple[int, ...], offset_s: int) -> str:
    """A label-less vector that is non-empty only inside the opening hours (local time).

    PromQL's ``time()`` is UTC, so local time is ``time() + offset``; hours may
    cross midnight (``20:00-04:00``).  ``day_of_week`` counts Sunday as 0.
    """
    start, end = (_minutes(part) * 60 for part in opening_hours.split("-"))
    local = f"vector((time() + {offset_s}) % 86400)"
    if start == end:
        hours = "vector(1)"
    elif start < end:
        hours = f"({local} >= {start} and {local} < {end})"
    else:
        hours = f"({local} >= {start} or {local} < {end})"
    if set(weekdays) >= set(range(1, 8)):
        return hours
    day = f"day_of_week(vector(time() + {offset_s}))"
    days = " or ".join(f"{day} == {iso % 7}" for iso in sorted(weekdays))
    return f"{hours} and on() ({days})"
