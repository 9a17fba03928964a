"""Interval buckets in the centre's zone: the Python (core) and SQL (store) definitions agree."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from pipeline.core import intervals
from pipeline.store.interval_sql import interval_start_sql

ZONES = ["Asia/Shanghai", "Asia/Kolkata", "America/New_York", "Europe/London"]
# around a New York DST change (2026-03-08), a Shanghai midnight, a Kolkata half hour
INSTANTS = [1772953200000, 1772956799000, 1772960400000, 1793548799999, 1793548800000, 1793570400000,
            1793571300000, 1793610005250]


@pytest.mark.parametrize("interval", list(intervals.INTERVALS))
@pytest.mark.parametrize("zone", ZONES)
def test_sql_and_python_buckets_agree(store, zone, interval):
    values = ", ".join(f"{interval_start_sql(str(ms), interval, zone)} AS b{i}" for i, ms in enumerate(INSTANTS))
    row = store.engine.query(f"SELECT {values}")
    for i, ms in enumerate(INSTANTS):
        assert row[f"b{i}"][0] * 1000 == intervals.floor_ms(ms, interval, ZoneInfo(zone)), (zone, interval, ms)
