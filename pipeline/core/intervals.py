"""Report intervals in the contact centre's time zone.

An interval starts at a local clock boundary (15/30 minutes, hours, days), so
a day in Asia/Shanghai runs from local midnight, not UTC midnight.  The same
bucket as SQL is the store's (``pipeline.store.interval_sql``); a test holds
the two together.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

INTERVALS: dict[str, int] = {"15m": 15, "30m": 30, "1h": 60, "1d": 1440}


def check_interval(name: str) -> int:
    if name not in INTERVALS:
        raise ValueError(f"interval {name!r} is not one of {', '.join(INTERVALS)}")
    return INTERVALS[name]


def floor_ms(ms: int, interval: str, tz: ZoneInfo) -> int:
    """Start (epoch ms) of the local interval holding ``ms``."""
    minutes = check_interval(interval)
    local = datetime.fromtimestamp(ms / 1000, tz)
    if minutes == 1440:
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        start = local.replace(minute=local.minute - local.minute % minutes if minutes < 60 else 0,
                              second=0, microsecond=0)
    return int(start.timestamp() * 1000)


def starts(start_ms: int, end_ms: int, interval: str, tz: ZoneInfo) -> list[int]:
    """Every interval start from the one holding ``start_ms`` up to ``end_ms`` (exclusive)."""
    minutes = check_interval(interval)
    result = []
    current = floor_ms(start_ms, interval, tz)
    while current < end_ms:
        result.append(current)
        # step past the boundary, then floor again: right across DST changes
        step = timedelta(hours=26) if minutes == 1440 else timedelta(minutes=minutes)
        current = floor_ms(current + int(step.total_seconds() * 1000), interval, tz)
    return result


def iso(ms: int, tz: ZoneInfo) -> str:
    """Local ISO 8601 with offset, the form reports print an interval start in."""
    return datetime.fromtimestamp(ms / 1000, tz).isoformat()


def parse_instant(text: str, tz: ZoneInfo) -> int:
    """ISO date or date-time; without an offset it is read in the centre's zone."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return int(value.astimezone(timezone.utc).timestamp() * 1000)
