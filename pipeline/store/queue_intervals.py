"""The pre-aggregates: ``agent_intervals`` (15-minute components rebuilt from the facts), and summed from them
``queue_intervals`` (the same without the agent) and ``agent_days`` (the agents' local days).

Rebuilding the touched intervals from ``contact_facts`` with the report's own
component SQL (rather than adding deltas) keeps the tables idempotent and
exactly equal to what a report over the same interval computes.  The facts are
read once per rebuild, for the finest table; every component is a sum or a
list of values, so the coarser tables are sums of its fresh rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pipeline.core import intervals
from pipeline.settings import Settings
from pipeline.store.components_sql import (
    AGGREGATES, FCR_PARTS, INDEXED_SPAN_MS, contact_query, offered_in, thresholds,
)
from pipeline.store.interval_sql import interval_start_sql
from pipeline.store.store import Store

COMPONENTS: tuple[str, ...] = (
    "offered", "answered", "abandoned", "short_abandoned", "answered_within_sl", "abandoned_within_sl", "waiting",
    "sl_numerator", "sl_denominator", "wait_answered_sum_ms", "aht_contacts", "handle_sum_ms", "talk_sum_ms",
    "hold_sum_ms", "acw_sum_ms", "frt_contacts", "frt_sum_ms", "frt_within_target", "transferred",
    "csat_responses", "csat_sum", "csat_top2", "nps_responses", "nps_promoters", "nps_detractors",
    "abandoned_customer", "abandoned_timeout", "abandoned_empty", "abandoned_key", "time_conflicts",
    "fcr_with_disposition", "resolved", "disposed",
)
# not summed like the others: FCR's window is applied when read, and the FRT values feed a percentile
PARTS: tuple[str, ...] = ("fcr_unrepeated", "fcr_repeat_gaps_ms", "frt_values_ms")
LISTS: tuple[str, ...] = ("fcr_repeat_gaps_ms", "frt_values_ms")  # the parts that are lists of values, not sums
assert set(COMPONENTS) <= set(AGGREGATES) and set(PARTS) <= set(AGGREGATES) | set(FCR_PARTS)
# the keys of each table beyond its interval (columns of the facts and of every pre-aggregate)
QUEUE_KEYS: tuple[str, ...] = ("queue", "channel", "direction")
AGENT_KEYS: tuple[str, ...] = ("agent_id", *QUEUE_KEYS)
INTERVAL_MS = 900_000
CONTACTS_PER_REBUILD = 500_000  # contacts one rebuild step reads at most, unless one day holds more (``_joined``)


def touched(offered_ms: Iterable[int], settings: Settings) -> set[int]:
    """The local 15-minute intervals (start, epoch ms) holding these offered times."""
    zone = settings.zone
    minutes = {ms // 60_000 for ms in offered_ms}  # few distinct minutes per batch: floor each once
    return {intervals.floor_ms(minute * 60_000, "15m", zone) for minute in minutes}


def _runs(starts: Iterable[int]) -> list[tuple[int, int]]:
    """Adjacent intervals joined: a month of them is one range, not 2,880."""
    return _runs_of([(start, start + INTERVAL_MS) for start in sorted(set(starts))])


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
    """Rebuild these intervals (local starts, epoch ms) from the facts of the contacts offered in them, and the days.

    Up to two days of intervals, the facts are found through ``contact_offers``
    (``components_sql.INDEXED_SPAN_MS``), so a worker flush costs what it
    rebuilds, not what is stored.  (A local 15-minute interval is 15
    minutes of UTC: every zone's offset and DST shift is a multiple of 15 minutes.)
    Each row records the thresholds it was built with (``built_with``).  A
    longer rebuild (a month's, after a threshold change) goes a day at a
    time, so each step reads only that day's contacts and next contacts.
    """
    starts = sorted(set(starts))
    days_of = _chunks(_runs(starts))
    if len(days_of) < 2:  # a worker's flush: a day at most, found through the index
        for runs in days_of:
            _rebuild(store, settings, runs)
    else:
        counts, stored = _offered_counts(store, days_of)
        for runs, n in _joined(days_of, counts):
            # through the index while the step's contacts are few beside the stored ones; else one scan is cheaper
            _rebuild(store, settings, _runs_of(runs), indexed=n * 4 <= stored)
    _roll_up_days(store, settings, days(starts, settings), _runs(starts))


def _offered_counts(store: Store, groups: list[list[tuple[int, int]]]) -> tuple[list[int], int]:
    """The contacts ``contact_offers`` holds in each group of ranges, and in all (a stale index row counts once
    more, which only makes a step smaller)."""
    cases = ", ".join(f"({offered_in(group)}), {index}" for index, group in enumerate(groups))
    result = store.engine.query(
        f"SELECT multiIf({cases}, -1) AS g, count() AS n FROM {store.db}.contact_offers "
        f"WHERE {offered_in([r for group in groups for r in group])} GROUP BY g")
    counts = [0] * len(groups)
    for group, n in zip(result["g"], result["n"]):
        if group >= 0:
            counts[int(group)] = int(n)
    return counts, int(store.engine.query(f"SELECT count() AS n FROM {store.db}.contact_offers")["n"][0])


def _runs_of(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent ranges (in time order) as one: a joined step's days are one range of time, not 30 conditions,
    and a month of intervals one range, not 2,880."""
    merged: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if merged and merged[-1][1] == lo:
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _joined(groups: list[list[tuple[int, int]]], counts: list[int],
            budget: int = CONTACTS_PER_REBUILD) -> list[tuple[list[tuple[int, int]], int]]:
    """Consecutive groups (``_chunks``' days) joined while their contacts add up to at most ``budget``.

    Why: each step is two queries with a fixed cost, so the rebuild of a month of 110,000 contacts (a replay of
    1M events) went in 30 steps: 4.5-5.4 s on ClickHouse 18.16, against 2.2-2.7 s joined (this machine,
    loaded).  A joined step reads no more contacts than ``budget``, the memory bound the day at a time was
    for; a day above the budget stays a step of its own.
    """
    joined: list[tuple[list[tuple[int, int]], int]] = []
    for group, n in zip(groups, counts):
        if not joined or joined[-1][1] + n > budget:
            joined.append(([], 0))
        joined[-1][0].extend(group)
        joined[-1] = (joined[-1][0], joined[-1][1] + n)
    return joined


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
    rows = (f"({rows_in(local_days)}) AND agent_id IN "
            f"(SELECT agent_id FROM {store.db}.agent_intervals WHERE {rows_in(runs)})")
    day = interval_start_sql("toInt64(toUInt32(interval_start)) * 1000", "1d", settings.tz)
    _replace(store, settings, "agent_days", AGENT_KEYS, rows, _summed(store, AGENT_KEYS, day, rows))


def rows_in(ranges: Iterable[tuple[int, int]]) -> str:
    """The pre-aggregated rows whose interval starts in any of these half-open ranges (epoch ms)."""
    return " OR ".join(f"(interval_start >= toDateTime({lo // 1000}) AND interval_start < toDateTime({hi // 1000}))"
                       for lo, hi in ranges) or "0"


def _rebuild(store: Store, settings: Settings, runs: list[tuple[int, int]], indexed: bool = False) -> None:
    """``agent_intervals`` of these intervals from the facts, then ``queue_intervals`` summed from those rows."""
    rows = rows_in(runs)
    keys = {name: name for name in AGENT_KEYS}
    interval = interval_start_sql("offered_ms", "15m", settings.tz)
    facts = contact_query(store.db, settings, {**keys, "interval": interval, "built_with": thresholds(settings)},
                          f"has_offered AND ({offered_in(runs)})", offered_ranges=runs, fcr_parts=True, indexed=indexed)
    _replace(store, settings, "agent_intervals", AGENT_KEYS, rows, lambda version: (
        f"SELECT {', '.join('k_' + k for k in keys)}, toDateTime(k_interval, 'UTC'), k_built_with, "
        f"toUInt64({version}), {_typed_columns()} FROM ({facts})"))
    _replace(store, settings, "queue_intervals", QUEUE_KEYS, rows,
             _summed(store, QUEUE_KEYS, "toUInt32(interval_start)", rows))


def _typed_columns(prefix: str = "") -> str:
    """Every component column in the tables' types (a UNION ALL's branches must agree on them)."""
    def typed(name: str) -> str:
        if name in LISTS:
            return f"{prefix}{name}"
        return f"to{'Int64' if name.endswith('_sum_ms') else 'UInt64'}({prefix}{name})"
    return ", ".join(typed(name) for name in COMPONENTS + PARTS)


def _replace(store: Store, settings: Settings, table: str, keys: tuple[str, ...], rows: str,
             fresh: Callable[[int], str]) -> None:
    """``table``'s rows in ``rows`` written anew, in one insert: ``fresh(version)`` (a SELECT of the keys, the
    interval start, built_with, the version, then every component as ``_typed_columns``) at a new version, and
    a zero row one version older for every key the table holds there.

    The zero rows (tombstones) are replaced wherever ``fresh`` has the key; where it has not, they are
    why a key that lost its last contact reads as nothing rather than as its old counts: a contact answered
    after its interval was built leaves the unassigned agent's row, a contact moved to an earlier offer its
    old interval's.  Readers skip keys with no offered contact.
    """
    names = ", ".join(keys)
    buried, version = store.next_version(), store.next_version()  # both above every earlier write's
    zeros = ", ".join(f"arrayFilter(x -> 0, {name})" if name in LISTS else f"{name} * 0"
                      for name in COMPONENTS + PARTS)
    columns = ", ".join(COMPONENTS + PARTS)
    store.engine.command(
        f"INSERT INTO {store.db}.{table} ({names}, interval_start, built_with, version, {columns}) "
        f"{fresh(version)} UNION ALL SELECT DISTINCT {names}, interval_start, {thresholds(settings)}, "
        f"toUInt64({buried}), {zeros} FROM {store.db}.{table} WHERE {rows}"
    )


def _summed(store: Store, keys: tuple[str, ...], start: str, rows: str) -> Callable[[int], str]:
    """The sums of the ``agent_intervals`` rows in ``rows`` by ``keys`` and ``start`` (epoch seconds, an
    expression over ``interval_start``), in ``_replace``'s ``fresh`` form.  A row summed from rows built
    with different thresholds is marked ``mixed``, so it is never read as current (the report reads the
    facts)."""
    names = ", ".join(keys)
    sums = ", ".join(f"groupArrayArray({name}) AS s_{name}" if name in LISTS else f"sum({name}) AS s_{name}"
                     for name in COMPONENTS + PARTS)
    return lambda version: (
        f"SELECT {names}, toDateTime(start_at, 'UTC'), summed_with, toUInt64({version}), {_typed_columns('s_')} "
        f"FROM (SELECT {names}, {start} AS start_at, "
        f"if(min(built_with) = max(built_with), min(built_with), 'mixed') AS summed_with, {sums} "
        f"FROM {store.db}.agent_intervals FINAL WHERE {rows} GROUP BY {names}, start_at)")
