"""Local report intervals as SQL: the store's half of ``pipeline.core.intervals``.

The core defines an interval's start in Python (``intervals.floor_ms``); this
is the same bucket as an expression over a column of epoch milliseconds, so
reports, the pre-aggregates and the Grafana panels group in the database.
``tests/store/test_interval_sql.py`` holds the two definitions together.
"""

from __future__ import annotations

from pipeline.core.intervals import check_interval


def interval_start_sql(ms_column: str, interval: str, tz: str) -> str:
    """SQL (18.16 and chDB) for the epoch seconds of the local interval start."""
    minutes = check_interval(interval)
    dt = f"toDateTime(intDiv({ms_column}, 1000))"
    zone = "'" + tz.replace("'", "") + "'"
    if minutes == 1440:
        return f"toUInt32(toStartOfDay({dt}, {zone}))"
    hour = f"toUInt32(toStartOfHour({dt}, {zone}))"
    if minutes == 60:
        return hour
    return f"({hour} + intDiv(toMinute({dt}, {zone}), {minutes}) * {minutes * 60})"
