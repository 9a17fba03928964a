"""``cckpi report``: group keys plus every catalogue key, from the store.

The store plans and reads a request's components (``store.report_reads``:
contact facts or a pre-aggregate, QA and complaints, agent-state changes);
here they are summed per group, agent-state time is clipped to the range
(``core.agent_time``), then ``kpi.compute`` makes the ratios; the totals row
sums every group's components first (``Report.total``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline.core import intervals
from pipeline.core.kpi import AGENT_COMPONENTS, COUNT_COMPONENTS, compute
from pipeline.settings import Settings
from pipeline.store import reads
from pipeline.store.report_reads import Key, read_report
from pipeline.store.store import Store

GROUPINGS = ("queue", "agent", "team", "channel", "interval")
KEY_NAMES = {"queue": "queue", "agent": "agent_id", "team": "team", "channel": "channel", "interval": "interval_start"}


@dataclass(frozen=True)
class ReportRequest:
    start_ms: int
    end_ms: int
    by: tuple[str, ...] = ("queue",)
    interval: str = "1d"
    queues: tuple[str, ...] = ()
    direction: str = "inbound"
    # agent id -> team, from the roster: a team row sums its agents' components (``--by team``)
    teams: Mapping[str, str] | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        unknown = [b for b in self.by if b not in GROUPINGS]
        if unknown:
            raise ValueError(f"--by {','.join(unknown)}: choose from {', '.join(GROUPINGS)}")
        if "team" in self.by and "agent" in self.by:
            raise ValueError("--by team already sums its agents: use --by agent or --by team, not both")
        if "team" in self.by and self.teams is None:
            raise ValueError("--by team needs --roster FILE: the teams are the roster's team column")
        intervals.check_interval(self.interval)
        if self.end_ms <= self.start_ms:
            raise ValueError("--to must be after --from")


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

    # a team is read as its agents (the store knows no teams), and each agent's key is then its team's
    scope = replace(request, by=tuple("agent" if b == "team" else b for b in request.by))
    read = read_report(store, scope, settings)
    team_of = _team_key(request)
    for key, row in read.contacts:
        key = team_of(key)
        frt_values[key].extend(row.pop("frt_values_ms"))
        seen_queues[key].update(row.pop("queues_seen"))
        for name, value in row.items():
            parts[key][name].append(value)
    for key, row in [*read.side, *read.agent_time]:
        for name, value in row.items():
            parts[team_of(key)][name].append(value)
    components = {key: {name: _exact_sum(values) for name, values in named.items()} for key, named in parts.items()}
    if not request.by and not any(components.get((), {}).values()):
        components.clear()  # no GROUP BY returns one row of zeros: nothing happened in the range

    agent = "agent" in scope.by
    rows, queues = [], []
    for key in sorted(components, key=lambda k: tuple("" if v is None else v for v in k)):
        row: dict[str, Any] = {}
        for name, value in zip(request.by, key):
            row[KEY_NAMES[name]] = intervals.iso(value * 1000, zone) if name == "interval" else value
        row.update(compute(components[key], frt_values_ms=frt_values.get(key, ()),
                           sl_abandon_mode=_mode(seen_queues.get(key, set()), settings),
                           csat_scale=_scale(seen_queues.get(key, set()), settings), agent=agent))
        rows.append(row)
        queues.append(frozenset(seen_queues.get(key, ())))
    summed = {name: float(_exact_sum([row[name] for row in components.values()])) for name in names}
    every_queue = set().union(*seen_queues.values()) if seen_queues else set()
    total = compute(summed, frt_values_ms=[v for values in frt_values.values() for v in values],
                    sl_abandon_mode=_mode(every_queue, settings), csat_scale=_scale(every_queue, settings),
                    agent=agent)
    sources = {name: int(summed[name]) for name in SOURCE_COMPONENTS}
    return Report(request, rows, total, queues, sources)


def _team_key(request: ReportRequest) -> Callable[[Key], Key]:
    """The read key (agent ids where the request says team) as the report's: each agent's roster team, None for
    an agent the roster does not list (shown "–")."""
    positions = [i for i, b in enumerate(request.by) if b == "team"]
    if not positions:
        return lambda key: key
    teams = request.teams or {}
    return lambda key: tuple(teams.get(v) if i in positions else v for i, v in enumerate(key))


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


def _scale(queues: set[str], settings: Settings) -> str:
    """The queues' common ``csat_scale``, ``mixed``, or the default's for a row with no contact."""
    scales = {settings.queue(q).csat_scale for q in queues}
    return scales.pop() if len(scales) == 1 else ("mixed" if scales else settings.queue_defaults.csat_scale)


def queues_with_data(store: Store, request: ReportRequest) -> list[str]:
    """The queues with a contact offered in the range (any queue filter aside): named when a filter finds nothing."""
    return reads.queues_offered(store, request.direction, request.start_ms, request.end_ms)


def stored_span(store: Store, direction: str) -> tuple[int, int] | None:
    """First and last offered time stored (epoch ms), to say where the data is when a range has none."""
    return reads.offered_span(store, direction)


def _default_mode(settings: Settings) -> str:
    return settings.queue_defaults.sl_abandon_mode
