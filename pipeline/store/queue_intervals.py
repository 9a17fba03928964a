"""The ``queue_intervals`` table: 15-minute additive components, rebuilt from the facts.

Rebuilding the touched intervals from ``contact_facts`` with the report's own
component SQL (rather than adding deltas) keeps the table idempotent and
exactly equal to what a report over the same interval computes.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.core import intervals
from pipeline.settings import Settings
from pipeline.store.components_sql import AGGREGATES, contact_query, offered_in
from pipeline.store.store import Store

COMPONENTS: tuple[str, ...] = (
    "offered", "answered", "abandoned", "short_abandoned", "answered_within_sl", "abandoned_within_sl", "waiting",
    "sl_numerator", "sl_denominator", "wait_answered_sum_ms", "aht_contacts", "handle_sum_ms", "talk_sum_ms",
    "hold_sum_ms", "acw_sum_ms", "frt_contacts", "frt_sum_ms", "frt_within_target", "transferred",
    "csat_responses", "csat_sum", "csat_top2", "nps_responses", "nps_promoters", "nps_detractors",
)
assert set(COMPONENTS) <= set(AGGREGATES)
INTERVAL_MS = 900_000


def touched(offered_ms: Iterable[int], settings: Settings) -> set[int]:
    """The local 15-minute intervals (start, epoch ms) holding these offered times."""
    zone = settings.zone
    minutes = {ms // 60_000 for ms in offered_ms}  # few distinct minutes per batch: floor each once
    return {intervals.floor_ms(minute * 60_000, "15m", zone) for minute in minutes}


def _runs(starts: Iterable[int]) -> list[tuple[int, int]]:
    """Adjacent intervals joined: a month of them is one range, not 2,880."""
    runs: list[tuple[int, int]] = []
    for start in sorted(set(starts)):
        if runs and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], start + INTERVAL_MS)
        else:
            runs.append((start, start + INTERVAL_MS))
    return runs


def refresh(store: Store, settings: Settings, starts: Iterable[int]) -> None:
    """Rebuild these intervals (local starts, epoch ms) from the facts of the contacts offered in them.

    Up to two days of intervals, the facts are found through ``contact_offers``
    (``components_sql.INDEXED_SPAN_MS``), so a worker flush costs what it
    rebuilds, not what is stored.  (A local 15-minute interval is 15
    minutes of UTC: every zone's offset and DST shift is a multiple of 15 minutes.)
    """
    runs = _runs(starts)
    if not runs:
        return
    keys = {"queue": "queue", "channel": "channel", "direction": "direction",
            "interval": intervals.sql_start("offered_ms", "15m", settings.tz)}
    first = runs[0][0]
    # no FCR here (empty repeat range): queue_intervals has no FCR components
    select = contact_query(store.db, settings, keys, f"has_offered AND ({offered_in(runs)})", first, first,
                           offered_ranges=runs)
    columns = ", ".join(COMPONENTS)
    store.engine.command(
        f"INSERT INTO {store.db}.queue_intervals (queue, channel, direction, interval_start, version, {columns}) "
        f"SELECT k_queue, k_channel, k_direction, toDateTime(k_interval), {store.next_version()}, {columns} "
        f"FROM ({select})"
    )
