"""The ``queue_intervals`` table: 15-minute additive components, rebuilt from the facts.

Rebuilding the touched intervals from ``contact_facts`` with the report's own
component SQL (rather than adding deltas) keeps the table idempotent and
exactly equal to what a report over the same interval computes.
"""

from __future__ import annotations

from pipeline.core import intervals
from pipeline.settings import Settings
from pipeline.store.components_sql import AGGREGATES, contact_query
from pipeline.store.store import Store

COMPONENTS: tuple[str, ...] = (
    "offered", "answered", "abandoned", "short_abandoned", "answered_within_sl", "abandoned_within_sl", "waiting",
    "sl_numerator", "sl_denominator", "wait_answered_sum_ms", "aht_contacts", "handle_sum_ms", "talk_sum_ms",
    "hold_sum_ms", "acw_sum_ms", "frt_contacts", "frt_sum_ms", "frt_within_target", "transferred",
    "csat_responses", "csat_sum", "csat_top2", "nps_responses", "nps_promoters", "nps_detractors",
)
assert set(COMPONENTS) <= set(AGGREGATES)


def refresh(store: Store, settings: Settings, start_ms: int, end_ms: int) -> None:
    """Rebuild every interval whose contacts were offered in [start_ms, end_ms)."""
    start = intervals.floor_ms(start_ms, "15m", settings.zone)
    keys = {"queue": "queue", "channel": "channel", "direction": "direction",
            "interval": intervals.sql_start("offered_ms", "15m", settings.tz)}
    where = f"has_offered AND offered_ms >= {start} AND offered_ms < {end_ms + 900_000}"
    select = contact_query(store.db, settings, keys, where, start, start)  # no FCR here: no repeat lookup needed
    columns = ", ".join(COMPONENTS)
    store.engine.command(
        f"INSERT INTO {store.db}.queue_intervals (queue, channel, direction, interval_start, version, {columns}) "
        f"SELECT k_queue, k_channel, k_direction, toDateTime(k_interval), {store.next_version()}, {columns} "
        f"FROM ({select}) WHERE k_interval * 1000 < {end_ms}"
    )
