"""A report's reads: which table answers a report request, and the keyed components it reads.

``report/build.py`` hands its request here and gets rows of additive
components keyed by the request's groupings; it sums them and makes the
ratios (``core.kpi``).  Everything a report needs from the database is
planned here, so the SQL (conditions, grouping expressions, the choice
between the facts and a pre-aggregate) stays in ``pipeline/store/``.

Three sources feed a report: contact facts (attributed to the interval the
contact was offered in), QA evaluations and complaints (attributed to their
contact's offered interval and queue; with no known contact, to their own
time, and to agent groupings only), and agent-state changes (agent groupings).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.core import intervals
from pipeline.settings import Settings
from pipeline.store import agent_time_blocks, reads
from pipeline.store.components_sql import INDEXED_SPAN_MS, contact_query
from pipeline.store.engines import Columns, literal
from pipeline.store.interval_sql import interval_start_sql
from pipeline.store.store import Store

Key = tuple[Any, ...]
Keyed = list[tuple[Key, dict[str, Any]]]


class ReportScope(Protocol):
    """What a report asks for (``report.build.ReportRequest`` is one)."""

    @property
    def start_ms(self) -> int: ...
    @property
    def end_ms(self) -> int: ...
    @property
    def by(self) -> tuple[str, ...]: ...
    @property
    def interval(self) -> str: ...
    @property
    def queues(self) -> tuple[str, ...]: ...
    @property
    def direction(self) -> str: ...


@dataclass(frozen=True)
class ReportReads:
    """The rows a report is made of, each keyed by the request's groupings in their order.

    ``contacts`` carries ``frt_values_ms`` and ``queues_seen`` beside the
    summable components; ``agent_time`` is the agents' milliseconds per state
    (empty unless the report groups by agent, and only where its groupings are
    the agent and the interval: a state is not a queue's).
    """

    contacts: Keyed
    side: Keyed
    agent_time: Keyed


def read_report(store: Store, scope: ReportScope, settings: Settings) -> ReportReads:
    """Everything ``scope`` needs from the store, read the cheapest exact way.

    Agent time is read on a second connection while the contacts and the QA and complaint joins are read on
    this one, where the engine allows it: its blocks' prints read every answered contact of the range through
    ``FINAL``, which the server merges on one thread (8.6 of a month's 15.9 s at 50M facts, the rest 6.8 s),
    so the two run on two cores."""
    beside = store.beside() if _needs_agent_time(scope) else None
    if beside is None:
        return ReportReads(_contact_rows(store, scope, settings), _side_rows(store, scope, settings),
                           _agent_time_rows(store, scope, settings))
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cckpi-agent-time") as pool:
            agent_time = pool.submit(_agent_time_rows, beside, scope, settings)
            contacts, sides = _contact_rows(store, scope, settings), _side_rows(store, scope, settings)
            return ReportReads(contacts, sides, agent_time.result())
    finally:
        beside.close()


def _needs_agent_time(scope: ReportScope) -> bool:
    return "agent" in scope.by and set(scope.by) <= {"agent", "interval"}


def _agent_time_rows(store: Store, scope: ReportScope, settings: Settings) -> Keyed:
    """Agent-state time per agent (and interval), clipped to the range: the agents' timelines, their own
    changes with the contacts they answered laid over them, summed from the days' blocks
    (``agent_time_blocks``)."""
    if not _needs_agent_time(scope):
        return []
    zone = settings.zone
    by_interval = "interval" in scope.by
    bucket_of: dict[int, int] = {}  # a month has 2,880 interval starts: each floored once

    def bucket(start: int) -> int:
        if not by_interval:
            return scope.start_ms
        if start not in bucket_of:
            bucket_of[start] = intervals.floor_ms(start, scope.interval, zone)
        return bucket_of[start]

    daily = not by_interval or scope.interval == "1d"
    rows: Keyed = []
    for agent, pieces in agent_time_blocks.agent_time(store, settings, scope.start_ms, scope.end_ms, daily).items():
        buckets: dict[int, dict[str, int]] = {}
        for start, totals in pieces.items():
            into = buckets.setdefault(bucket(start), dict.fromkeys(agent_time_blocks.TOTALS, 0))
            for name, value in totals.items():
                into[name] += value
        for start, totals in sorted(buckets.items()):
            rows.append((tuple(agent if b == "agent" else start // 1000 for b in scope.by), totals))
    return rows


def pre_aggregate_table(scope: ReportScope, settings: Settings) -> str | None:
    """The pre-aggregate table that may answer ``scope``, or None for the facts.

    A range of up to two days is read from the facts (through the offered-time
    index: fast enough, and any range is exact there).  A longer one on the
    pre-aggregates' boundaries reads them: local days for ``agent_days`` (by
    agent, daily or no intervals), 15 minutes for ``queue_intervals`` and
    ``agent_intervals`` (UTC 15 minutes are local ones: every zone's offset is
    a multiple of 15 minutes).
    """
    if scope.end_ms - scope.start_ms <= INDEXED_SPAN_MS:
        return None
    on = {interval: all(intervals.floor_ms(ms, interval, settings.zone) == ms
                        for ms in (scope.start_ms, scope.end_ms)) for interval in ("15m", "1d")}
    if "agent" not in scope.by:
        return "queue_intervals" if on["15m"] else None
    if on["1d"] and ("interval" not in scope.by or scope.interval == "1d"):
        return "agent_days"
    return "agent_intervals" if on["15m"] else None


def _keys(scope: ReportScope, settings: Settings, ms: str) -> dict[str, str]:
    """The grouping expressions over a row whose time (epoch ms) is the expression ``ms``."""
    exprs = {"queue": "queue", "agent": "agent_id", "channel": "channel",
             "interval": interval_start_sql(ms, scope.interval, settings.tz)}
    return {name: exprs[name] for name in scope.by}


def _contact_rows(store: Store, scope: ReportScope, settings: Settings) -> Keyed:
    """The contacts' components: from a pre-aggregate table for a long range on its boundaries, else the facts.

    Both give the same numbers (tests/store/test_pre_aggregates.py); the
    pre-aggregates are read only when every row of the range was built with
    the settings' thresholds.
    """
    table = pre_aggregate_table(scope, settings)
    if table and reads.intervals_current(store, settings, table, scope.start_ms, scope.end_ms):
        sql = reads.interval_components(store.db, settings, table, _keys(scope, settings, "interval_ms"),
                                        _where(scope) + [reads.interval_range(scope.start_ms, scope.end_ms)])
    else:
        sql = contact_query(store.db, settings, _keys(scope, settings, "offered_ms"),
                            " AND ".join(["has_offered", *_where(scope),
                                          f"offered_ms >= {scope.start_ms} AND offered_ms < {scope.end_ms}"]),
                            offered_ranges=[(scope.start_ms, scope.end_ms)])
    return _keyed(store.engine.query(sql), list(scope.by))


def _where(scope: ReportScope) -> list[str]:
    """Conditions on columns the facts and the pre-aggregates share."""
    where = [f"direction = {literal(scope.direction)}"]
    if scope.queues:
        where.append(f"queue IN ({', '.join(literal(q) for q in scope.queues)})")
    if "agent" in scope.by:
        where.append("agent_id != ''")
    return where


def _keyed(result: Columns, keys: Sequence[str]) -> Keyed:
    names = [n for n in result if not n.startswith("k_")]
    count = len(next(iter(result.values()), []))
    out = []
    for i in range(count):
        key = tuple(result[f"k_{k}"][i] for k in keys)
        out.append((key, {n: result[n][i] for n in names}))
    return out


def _side_rows(store: Store, scope: ReportScope, settings: Settings) -> Keyed:
    """QA evaluations and complaints, attributed through their contact when it is known."""
    when = "if(has_offered, offered_ms, ts_ms)"
    chosen = _keys(scope, settings, when)
    where = [f"{when} >= {scope.start_ms} AND {when} < {scope.end_ms}",
             f"(NOT has_offered OR direction = {literal(scope.direction)})"]
    # by queue or channel, and for the total (``--by total``, no grouping), only the QA and complaints of
    # known contacts: so a grouped table's totals row equals ``--by total``.  Interval and agent groupings
    # also count those with no known contact, at their own time (as before: docs/design.md section 3).
    if not scope.by or any(b in ("queue", "channel") for b in scope.by) or scope.queues:
        where.append("has_offered")
    if scope.queues:
        where.append(f"queue IN ({', '.join(literal(q) for q in scope.queues)})")
    rows: Keyed = []
    for table in reads.SIDE_COMPONENTS:
        result = reads.side_components(store, table, chosen, where)
        rows.extend((k, v) for k, v in _keyed(result, list(chosen)) if any(v.values()))
    return rows
