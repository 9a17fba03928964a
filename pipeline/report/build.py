"""``cckpi report``: group keys plus every catalogue key, from the store.

Three sources feed one row: contact facts (attributed to the interval the
contact was offered in), QA evaluations and complaints (attributed to their
contact's offered interval and queue; with no known contact, to their own
time, and to agent groupings only), and agent-state time (agent groupings).
Components are summed per group, then ``kpi.compute`` makes the ratios; the
totals row sums every group's components first (``Report.total``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.core import intervals
from pipeline.core.agent_time import state_time
from pipeline.core.kpi import AGENT_COMPONENTS, COUNT_COMPONENTS, compute
from pipeline.settings import Settings
from pipeline.store import agent_reads, reads
from pipeline.store.components_sql import INDEXED_SPAN_MS, contact_query
from pipeline.store.engines import literal
from pipeline.store.store import Store

GROUPINGS = ("queue", "agent", "channel", "interval")
KEY_NAMES = {"queue": "queue", "agent": "agent_id", "channel": "channel", "interval": "interval_start"}


@dataclass(frozen=True)
class ReportRequest:
    start_ms: int
    end_ms: int
    by: tuple[str, ...] = ("queue",)
    interval: str = "1d"
    queues: tuple[str, ...] = ()
    direction: str = "inbound"

    def __post_init__(self) -> None:
        unknown = [b for b in self.by if b not in GROUPINGS]
        if unknown:
            raise ValueError(f"--by {','.join(unknown)}: choose from {', '.join(GROUPINGS)}")
        intervals.check_interval(self.interval)
        if self.end_ms <= self.start_ms:
            raise ValueError("--to must be after --from")


Key = tuple[Any, ...]


@dataclass
class Report:
    """A report's rows plus what a reader needs around them.

    ``total`` is ``compute`` over the components summed across every row (never
    an average of the rows' ratios), so for queue and channel groupings it is
    exactly the ``--by total`` row.  ``queues`` holds, per row, the queues whose
    contacts it counts (for the per-queue targets); ``sources`` counts the
    records of the optional sources over the whole report (a KPI whose source
    has no record shows "–", not 0).
    """

    request: ReportRequest
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    queues: list[frozenset[str]]
    sources: dict[str, int]

    @property
    def empty(self) -> bool:
        return not self.rows


# the optional sources whose absence a ratio's denominator cannot show (complaint rate is over answered contacts)
SOURCE_COMPONENTS: tuple[str, ...] = ("complaint_events",)


def build_report(store: Store, request: ReportRequest, settings: Settings) -> list[dict[str, Any]]:
    """The rows only (JSON, CSV, payroll, the live gauges)."""
    return build(store, request, settings).rows


def build(store: Store, request: ReportRequest, settings: Settings) -> Report:
    zone = settings.zone
    names = COUNT_COMPONENTS + AGENT_COMPONENTS + SOURCE_COMPONENTS
    parts: dict[Key, dict[str, list[float]]] = defaultdict(lambda: {name: [] for name in names})
    frt_values: dict[Key, list[float]] = defaultdict(list)
    seen_queues: dict[Key, set[str]] = defaultdict(set)

    for key, row in _contact_rows(store, request, settings):
        frt_values[key].extend(row.pop("frt_values_ms"))
        seen_queues[key].update(row.pop("queues_seen"))
        for name, value in row.items():
            parts[key][name].append(value)
    for key, row in _side_rows(store, request, settings):
        for name, value in row.items():
            parts[key][name].append(value)
    if "agent" in request.by:
        for key, row in _agent_time_rows(store, request, zone):
            for name, value in row.items():
                parts[key][name].append(value)
    components = {key: {name: _exact_sum(values) for name, values in named.items()} for key, named in parts.items()}
    if not request.by and not any(components.get((), {}).values()):
        components.clear()  # no GROUP BY returns one row of zeros: nothing happened in the range

    agent = "agent" in request.by
    rows, queues = [], []
    for key in sorted(components, key=lambda k: tuple("" if v is None else v for v in k)):
        row: dict[str, Any] = {}
        for name, value in zip(request.by, key):
            row[KEY_NAMES[name]] = intervals.iso(value * 1000, zone) if name == "interval" else value
        row.update(compute(components[key], frt_values_ms=frt_values.get(key, ()),
                           sl_abandon_mode=_mode(seen_queues.get(key, set()), settings), agent=agent))
        rows.append(row)
        queues.append(frozenset(seen_queues.get(key, ())))
    summed = {name: float(_exact_sum([row[name] for row in components.values()])) for name in names}
    every_queue = set().union(*seen_queues.values()) if seen_queues else set()
    total = compute(summed, frt_values_ms=[v for values in frt_values.values() for v in values],
                    sl_abandon_mode=_mode(every_queue, settings), agent=agent)
    sources = {name: int(summed[name]) for name in SOURCE_COMPONENTS}
    return Report(request, rows, total, queues, sources)


def _exact_sum(values: Sequence[float]) -> float:
    """The sum whatever the order: the pre-aggregates and the facts return a group's parts (QA score
    sums, state seconds) in different orders, and a float sum's last digit follows the order."""
    if any(isinstance(value, float) for value in values):
        return math.fsum(values)
    return sum(values)


def _mode(queues: set[str], settings: Settings) -> str:
    """The queues' common ``sl_abandon_mode``, ``mixed``, or the default for a row with no contact."""
    modes = {settings.queue(q).sl_abandon_mode for q in queues}
    return modes.pop() if len(modes) == 1 else ("mixed" if modes else _default_mode(settings))


def queues_with_data(store: Store, request: ReportRequest) -> list[str]:
    """The queues with a contact offered in the range (any queue filter aside): named when a filter finds nothing."""
    return reads.queues_offered(store, request.direction, request.start_ms, request.end_ms)


def stored_span(store: Store, direction: str) -> tuple[int, int] | None:
    """First and last offered time stored (epoch ms), to say where the data is when a range has none."""
    return reads.offered_span(store, direction)


def _default_mode(settings: Settings) -> str:
    return settings.queue_defaults.sl_abandon_mode


def _contact_keys(request: ReportRequest, settings: Settings, ms: str) -> dict[str, str]:
    exprs = {"queue": "queue", "agent": "agent_id", "channel": "channel",
             "interval": intervals.sql_start(ms, request.interval, settings.tz)}
    return {name: exprs[name] for name in request.by}


def _contact_rows(store: Store, request: ReportRequest, settings: Settings) -> list[tuple[Key, dict[str, Any]]]:
    """The contacts' components: from a pre-aggregate table for a long range on its boundaries, else the facts.

    Both give the same numbers (tests/store/test_pre_aggregates.py); the
    pre-aggregates are read only when every row of the range was built with
    the settings' thresholds.
    """
    table = _pre_aggregated(request, settings)
    if table and reads.intervals_current(store, settings, table, request.start_ms, request.end_ms):
        sql = reads.interval_components(store.db, settings, table, _contact_keys(request, settings, "interval_ms"),
                                        _where(request) + [reads.interval_range(request.start_ms, request.end_ms)])
    else:
        sql = contact_query(store.db, settings, _contact_keys(request, settings, "offered_ms"),
                            " AND ".join(["has_offered", *_where(request),
                                          f"offered_ms >= {request.start_ms} AND offered_ms < {request.end_ms}"]),
                            offered_ranges=[(request.start_ms, request.end_ms)])
    return _keyed(store.engine.query(sql), list(request.by))


def _pre_aggregated(request: ReportRequest, settings: Settings) -> str | None:
    """The pre-aggregate table to read, or None for the facts.

    A range of up to two days is read from the facts (through the offered-time
    index: fast enough, and any range is exact there).  A longer one on the
    pre-aggregates' boundaries reads them: local days for ``agent_days`` (by
    agent, daily or no intervals), 15 minutes for ``queue_intervals`` and
    ``agent_intervals`` (UTC 15 minutes are local ones: every zone's offset is
    a multiple of 15 minutes).
    """
    if request.end_ms - request.start_ms <= INDEXED_SPAN_MS:
        return None
    on = {interval: all(intervals.floor_ms(ms, interval, settings.zone) == ms
                        for ms in (request.start_ms, request.end_ms)) for interval in ("15m", "1d")}
    if "agent" not in request.by:
        return "queue_intervals" if on["15m"] else None
    if on["1d"] and ("interval" not in request.by or request.interval == "1d"):
        return "agent_days"
    return "agent_intervals" if on["15m"] else None


def _where(request: ReportRequest) -> list[str]:
    """Conditions on columns the facts and the pre-aggregates share."""
    where = [f"direction = {literal(request.direction)}"]
    if request.queues:
        where.append(f"queue IN ({', '.join(literal(q) for q in request.queues)})")
    if "agent" in request.by:
        where.append("agent_id != ''")
    return where


def _keyed(result: dict[str, list[Any]], keys: Sequence[str]) -> list[tuple[Key, dict[str, Any]]]:
    names = [n for n in result if not n.startswith("k_")]
    count = len(next(iter(result.values()), []))
    out = []
    for i in range(count):
        key = tuple(result[f"k_{k}"][i] for k in keys)
        out.append((key, {n: result[n][i] for n in names}))
    return out


def _side_rows(store: Store, request: ReportRequest, settings: Settings) -> list[tuple[Key, dict[str, Any]]]:
    """QA evaluations and complaints, attributed through their contact when it is known."""
    when = "if(has_offered, offered_ms, ts_ms)"
    keys = {"queue": "queue", "agent": "agent_id", "channel": "channel",
            "interval": intervals.sql_start(when, request.interval, settings.tz)}
    chosen = {name: keys[name] for name in request.by}
    where = [f"{when} >= {request.start_ms} AND {when} < {request.end_ms}",
             f"(NOT has_offered OR direction = {literal(request.direction)})"]
    # by queue or channel, and for the total (``--by total``, no grouping), only the QA and complaints of
    # known contacts: so a grouped table's totals row equals ``--by total``.  Interval and agent groupings
    # also count those with no known contact, at their own time (as before: docs/design.md section 3).
    if not request.by or any(b in ("queue", "channel") for b in request.by) or request.queues:
        where.append("has_offered")
    if request.queues:
        where.append(f"queue IN ({', '.join(literal(q) for q in request.queues)})")
    rows: list[tuple[Key, dict[str, Any]]] = []
    for table in reads.SIDE_COMPONENTS:
        result = reads.side_components(store, table, chosen, where)
        rows.extend((k, v) for k, v in _keyed(result, list(chosen)) if any(v.values()))
    return rows


def _agent_time_rows(store: Store, request: ReportRequest, zone: ZoneInfo) -> list[tuple[Key, dict[str, Any]]]:
    """Agent-state time per agent (and interval), clipped to the report range at both ends.

    A state lasts until the agent's next change, so ``agent_reads.timelines``
    gives every piece that overlaps the range: the changes inside it, the last
    change before its start (the state running when it begins) and the first
    change at or after its end (where the state running at the end stops;
    without it a shift crossing the end would count nothing), with the
    contacts the agent answered laid over them (on a contact, wrap-up: queue_log
    writes no state for them).  ``state_time`` clips.
    """
    changes = agent_reads.timelines(store, request.start_ms, request.end_ms)
    by_interval = "interval" in request.by
    cuts = intervals.starts(request.start_ms, request.end_ms, request.interval, zone) if by_interval else []
    rows = []
    for agent, agent_changes in changes.items():
        for bucket, totals in state_time(agent_changes, request.start_ms, request.end_ms, cuts).items():
            key = tuple(agent if b == "agent" else bucket // 1000 for b in request.by if b in ("agent", "interval"))
            if len(key) == len(request.by):
                rows.append((key, dict(totals)))
    return rows
