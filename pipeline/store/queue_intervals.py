"""The pre-aggregates: ``queue_intervals`` and ``agent_intervals`` (15-minute components rebuilt from the facts)
and ``agent_days`` (the agents' local days, summed from ``agent_intervals``).

Rebuilding the touched intervals from ``contact_facts`` with the report's own
component SQL (rather than adding deltas) keeps the table idempotent and
exactly equal to what a report over the same interval computes.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.core import intervals
from pipeline.settings import Settings
from pipeline.store.components_sql import (
    AGGREGATES, FCR_PARTS, INDEXED_SPAN_MS, contact_query, offered_in, thresholds,
)
from pipeline.store.store import Store

COMPONENTS: tuple[str, ...] = (
    "offered", "answered", "abandoned", "short_abandoned", "answered_within_sl", "abandoned_within_sl", "waiting",
    "sl_numerator", "sl_denominator", "wait_answered_sum_ms", "aht_contacts", "handle_sum_ms", "talk_sum_ms",
    "hold_sum_ms", "acw_sum_ms", "frt_contacts", "frt_sum_ms", "frt_within_target", "transferred",
    "csat_responses", "csat_sum", "csat_top2", "nps_responses", "nps_promoters", "nps_detractors",
    "abandoned_customer", "abandoned_timeout", "abandoned_empty", "abandoned_key", "time_conflicts",
    "fcr_with_disposition",
)
# not summed like the others: FCR's window is applied when read, and the FRT values feed a percentile
PARTS: tuple[str, ...] = ("fcr_unrepeated", "fcr_repeat_gaps_ms", "frt_values_ms")
assert set(COMPONENTS) <= set(AGGREGATES) and set(PARTS) <= set(AGGREGATES) | set(FCR_PARTS)
# table -> its keys beyond the interval (name -> expression over a fact)
TABLES: dict[str, dict[str, str]] = {
    "queue_intervals": {"queue": "queue", "channel": "channel", "direction": "direction"},
    "agent_intervals": {"agent_id": "agent_id", "queue": "queue", "channel": "channel", "direction": "direction"},
}
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


def _chunks(runs: list[tuple[int, int]], span_ms: int = INDEXED_SPAN_MS // 2) -> list[list[tuple[int, int]]]:
    """The runs cut into groups of at most ``span_ms`` of intervals each, in time order."""
    pieces = [(lo, min(lo + span_ms, hi)) for start, hi in runs for lo in range(start, hi, span_ms)]
    groups: list[list[tuple[int, int]]] = []
    total = 0
    for lo, hi in pieces:
        if not groups or total + hi - lo > span_ms:
            groups.append([])
            total = 0
        groups[-1].append((lo, hi))
        total += hi - lo
    return groups


def refresh(store: Store, settings: Settings, starts: Iterable[int]) -> None:
    """Rebuild these intervals (local starts, epoch ms) of both tables from the facts of the contacts offered in them.

    Up to two days of intervals, the facts are found through ``contact_offers``
    (``components_sql.INDEXED_SPAN_MS``), so a worker flush costs what it
    rebuilds, not what is stored.  (A local 15-minute interval is 15
    minutes of UTC: every zone's offset and DST shift is a multiple of 15 minutes.)
    Each row records the thresholds it was built with (``built_with``).  A
    longer rebuild (a month's, after a threshold change) goes a day at a
    time, so each step reads only that day's contacts and next contacts.
    """
    starts = sorted(set(starts))
    for runs in _chunks(_runs(starts)):
        _rebuild(store, settings, runs)
    _roll_up_days(store, settings, days(starts, settings), _runs(starts))


def days(starts: Iterable[int], settings: Settings) -> list[tuple[int, int]]:
    """The local days (start, end epoch ms) holding these interval starts."""
    zone = settings.zone
    firsts = sorted({intervals.floor_ms(start, "1d", zone) for start in starts})
    return [(day, intervals.floor_ms(day + 30 * 3_600_000, "1d", zone)) for day in firsts]


def _roll_up_days(store: Store, settings: Settings, local_days: list[tuple[int, int]],
                  runs: list[tuple[int, int]]) -> None:
    """``agent_days`` for these local days: the sum of their ``agent_intervals`` rows (read after the rebuild
    of those rows, so a day is as current as its intervals), for the agents with a row in the rebuilt
    intervals ``runs`` only: a worker's flush re-sums a few agents' days, not every agent's."""
    if not local_days:
        return
    rebuilt = " OR ".join(f"(interval_start >= toDateTime({lo // 1000}) AND interval_start < toDateTime({hi // 1000}))"
                          for lo, hi in runs)
    sums = ", ".join([f"sum({name}) AS {name}" for name in COMPONENTS + ("fcr_unrepeated",)]
                     + [f"groupArrayArray({name}) AS {name}" for name in ("fcr_repeat_gaps_ms", "frt_values_ms")])
    day = intervals.sql_start("toInt64(toUInt32(interval_start)) * 1000", "1d", settings.tz)
    inside = " OR ".join(f"(interval_start >= toDateTime({lo // 1000}) AND interval_start < toDateTime({hi // 1000}))"
                         for lo, hi in local_days)
    names = ", ".join(COMPONENTS + PARTS)
    store.engine.command(
        f"INSERT INTO {store.db}.agent_days (agent_id, queue, channel, direction, interval_start, built_with, "
        f"version, {names}) SELECT agent_id, queue, channel, direction, toDateTime(day), built_with, "
        f"{store.next_version()}, {names} FROM (SELECT agent_id, queue, channel, direction, built_with, "
        f"{day} AS day, {sums} FROM {store.db}.agent_intervals FINAL WHERE ({inside}) "
        f"AND agent_id IN (SELECT agent_id FROM {store.db}.agent_intervals WHERE {rebuilt}) "
        f"GROUP BY agent_id, queue, channel, direction, built_with, day)"
    )


def _rebuild(store: Store, settings: Settings, runs: list[tuple[int, int]]) -> None:
    interval = intervals.sql_start("offered_ms", "15m", settings.tz)
    columns = ", ".join(COMPONENTS + PARTS)
    for table, keys in TABLES.items():
        select = contact_query(store.db, settings, {**keys, "interval": interval, "built_with": thresholds(settings)},
                               f"has_offered AND ({offered_in(runs)})", offered_ranges=runs, fcr_parts=True)
        names = ", ".join(keys)
        store.engine.command(
            f"INSERT INTO {store.db}.{table} ({names}, interval_start, built_with, version, {columns}) "
            f"SELECT {', '.join('k_' + k for k in keys)}, toDateTime(k_interval), k_built_with, "
            f"{store.next_version()}, {columns} FROM ({select})"
        )
