"""Agents' timelines from the store: their own state changes and the contacts they answered.

The one read behind the live agent grid (``/api/live``, the wallboard), the
worker's agents-per-state gauges and agent time in reports (occupancy,
logged-in hours): each gives ``core.agent_work`` the agent's changes, ordered
by (time, source sequence, event id), and its contacts' answered, ended and
wrap-up times, and shows what it derives.

A contact's work is found through its offer (``contact_offers``, the index the
facts' reads share), so only contacts offered within ``WORK_LOOKBACK_MS``
before the range can keep an agent on a contact: a call that waited and talked
longer than that lost its end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import numpy as np

from pipeline.core.agent_work import NOT_KNOWN, Change, Works, lay, state_now
from pipeline.store.components_sql import INDEXED_SPAN_MS, offered_between
from pipeline.store.engines import literal
from pipeline.store.store import Store

WORK_LOOKBACK_MS = 8 * 3_600_000
AGENT_LOOKBACK_MS = 86_400_000  # an agent with no state change or contact for a day is not on the grid
SINCE_LOOKBACK_MS = 3_600_000  # contacts whose wrap-up ended longer ago than this no longer move "since"
_ORDER = "(ts_ms, seq, event_id)"
_COLUMNS = ("ts_ms", "seq", "event_id", "state", "reason")


def of_agents(agents: Collection[str] | None) -> str:
    """A condition on ``agent_id``: these agents only, or every agent (None)."""
    if agents is None:
        return "1"
    return f"agent_id IN ({', '.join(literal(a) for a in sorted(agents))})" if agents else "0"


def _edge(store: Store, pick: str, where: str) -> dict[str, list[Change]]:
    """Per agent the one change ``pick`` (argMax or argMin) chooses by the order of changes among ``where``."""
    columns = ", ".join(f"{pick}({c}, {_ORDER}) AS e_{c}" for c in _COLUMNS)
    rows = store.engine.query(f"SELECT agent_id, {columns} FROM {store.db}.agent_states FINAL "
                              f"WHERE {where} GROUP BY agent_id")
    return {agent: [Change(int(t), int(s), e, st, r)]
            for agent, t, s, e, st, r in zip(rows["agent_id"], *(rows[f"e_{c}"] for c in _COLUMNS))}


def _changes(store: Store, start_ms: int, end_ms: int, agents: str = "1") -> dict[str, list[Change]]:
    """Every change in [start_ms, end_ms), each agent's last before it and first at or after its end
    (``agents``: a condition on ``agent_id``)."""
    found: dict[str, list[Change]] = defaultdict(list)
    rows = store.engine.query(f"SELECT agent_id, {', '.join(_COLUMNS)} FROM {store.db}.agent_states FINAL "
                              f"WHERE {agents} AND ts_ms >= {start_ms} AND ts_ms < {end_ms}")
    for agent, t, s, e, st, r in zip(rows["agent_id"], *(rows[c] for c in _COLUMNS)):
        found[agent].append(Change(int(t), int(s), e, st, r))
    for edge in (_edge(store, "argMax", f"{agents} AND ts_ms < {start_ms}"),
                 _edge(store, "argMin", f"{agents} AND ts_ms >= {end_ms}")):
        for agent, changes in edge.items():
            found[agent].extend(changes)
    return found


_NOT_KNOWN = f"toInt64('{NOT_KNOWN}')"  # a literal both engines read as Int64 (a bare one is not)


def _works(store: Store, answered_before_ms: int, finished_after_ms: int, agents: str = "1") -> dict[str, Works]:
    """Contacts answered before ``answered_before_ms`` whose wrap-up is open or ends at or after
    ``finished_after_ms``, offered within ``WORK_LOOKBACK_MS`` before that, per agent (``agents``: a condition
    on ``agent_id``), as ``agent_work.lay`` takes them: grouped in the store, an array per time (a day of a
    large centre as two thousand rows, not a million tuples)."""
    lo, hi = finished_after_ms - WORK_LOOKBACK_MS, answered_before_ms
    narrowing = f"{offered_between(store.db, [(lo, hi)])} AND " if hi - lo <= INDEXED_SPAN_MS else ""
    rows = store.engine.query(
        f"SELECT agent_id, groupArray(assumeNotNull(answered_ms)) AS answered, "
        f"groupArray(ifNull(ended_ms, {_NOT_KNOWN})) AS ended, groupArray(ifNull(wrapup_ms, {_NOT_KNOWN})) AS wrapup "
        f"FROM {store.db}.contact_facts FINAL "
        f"WHERE {narrowing}{agents} AND has_offered AND offered_ms >= {lo} AND offered_ms < {hi} AND is_answered "
        f"AND agent_id != '' AND answered_ms < {answered_before_ms} "
        f"AND (wrapup_ms IS NULL OR wrapup_ms >= {finished_after_ms}) GROUP BY agent_id")
    return {agent: (np.array(answered, np.int64), np.array(ended, np.int64), np.array(wrapup, np.int64))
            for agent, answered, ended, wrapup in zip(rows["agent_id"], rows["answered"], rows["ended"],
                                                      rows["wrapup"])}


def timelines(store: Store, start_ms: int, end_ms: int,
              agents: Collection[str] | None = None) -> dict[str, list[Change]]:
    """Per agent (every one, or ``agents``) the timeline over [start_ms, end_ms) for ``agent_time.state_time``
    (which clips it)."""
    condition = of_agents(agents)
    changes = _changes(store, start_ms, end_ms, condition)
    works = _works(store, end_ms, start_ms, condition)
    return {agent: lay(changes.get(agent, []), works.get(agent, _NO_WORK)) for agent in set(changes) | set(works)}


_NO_WORK: Works = (np.empty(0, np.int64),) * 3


def states_now(store: Store, now_ms: int) -> dict[str, Change]:
    """Per agent its state at ``now_ms`` (``ts_ms`` = since when); agents whose state is unknown left out."""
    latest = _edge(store, "argMax", f"ts_ms <= {now_ms} AND ts_ms > {now_ms - AGENT_LOOKBACK_MS}")
    works = _works(store, now_ms + 1, now_ms - SINCE_LOOKBACK_MS)
    found = {}
    for agent in set(latest) | set(works):
        state = state_now(latest.get(agent, []), works.get(agent, _NO_WORK), now_ms)
        if state is not None:
            found[agent] = state
    return found
