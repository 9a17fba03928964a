"""Fast RFC 3339 stamps for simulated events.

The simulator works in integer epoch milliseconds (exact, cheap to compare and
to sort) and only turns them into text when an event is built.  A million
``datetime.isoformat`` calls take seconds; caching the date part per day and
the zone offset per hour makes the formatting a small share of the run.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def epoch_ms(moment: datetime) -> int:
    """Aware datetime -> integer epoch milliseconds."""
    return int(moment.timestamp() * 1000)


def local_ms(day: date, at: time, zone: ZoneInfo) -> int:
    """Epoch ms of a wall-clock time on a day in the centre's zone."""
    return epoch_ms(datetime.combine(day, at, tzinfo=zone))


class Stamper:
    """Formats epoch ms as UTC (``...Z``) or in the centre's offset (``...+08:00``)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._days: dict[int, str] = {}
        self._offsets: dict[int, tuple[int, str]] = {}

    def _day(self, day_number: int) -> str:
        prefix = self._days.get(day_number)
        if prefix is None:
            prefix = date.fromordinal(_EPOCH_ORDINAL + day_number).isoformat() + "T"
            self._days[day_number] = prefix
        return prefix

    def utc(self, ms: int) -> str:
        day_number, rest = divmod(ms, DAY_MS)
        seconds, millis = divmod(rest, 1000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return f"{self._day(day_number)}{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"

    def local(self, ms: int) -> str:
        hour_key = ms // HOUR_MS
        cached = self._offsets.get(hour_key)
        if cached is None:
            moment = datetime.fromtimestamp(hour_key * 3600, tz=timezone.utc).astimezone(self._zone)
            offset = moment.utcoffset() or timedelta(0)
            total = int(offset.total_seconds())
            sign = "-" if total < 0 else "+"
            hours, minutes = divmod(abs(total) // 60, 60)
            cached = (total * 1000, f"{sign}{hours:02d}:{minutes:02d}")
            self._offsets[hour_key] = cached
        shift, suffix = cached
        return self.utc(ms + shift)[:-1] + suffix
