"""Named reads over the store's tables, beside its writes (``store.py``).

Callers (the worker's clock and gauges, reports, payroll, dashboards) ask
for a figure by name instead of writing SQL, so a column change touches the
migrations and ``pipeline/store/`` only.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.settings import Settings
from pipeline.store.components_sql import AGGREGATES, fcr_window_ms, thresholds
from pipeline.store.queue_intervals import COMPONENTS as INTERVAL_COMPONENTS
from pipeline.store.store import Store


def newest_timeline_ms(store: Store) -> int | None:
    """The newest stored time of a contact or agent-state event (the ``events`` clock), or None when empty."""
    result = store.engine.query(f"SELECT count() AS n, max(ts_ms) AS newest FROM {store.db}.events "
                                f"WHERE type = 'agent.state' OR type LIKE 'contact.%'")
    return int(result["newest"][0]) if result["n"] and result["n"][0] else None


def waiting_by_queue(store: Store, now_ms: int, horizon_ms: int) -> dict[tuple[str, str], tuple[int, int]]:
    """(queue, channel) -> (contacts waiting now, oldest offered ms): inbound, offered within ``horizon_ms``.

    An offer older than the horizon with no outcome is a lost event, not a caller still waiting.
    """
    result = store.engine.query(
        f"SELECT queue, channel, count() AS waiting, min(offered_ms) AS oldest_ms "
        f"FROM {store.db}.contact_facts FINAL "
        f"WHERE has_offered AND direction = 'inbound' AND NOT is_answered AND NOT is_abandoned "
        f"AND offered_ms <= {now_ms} AND offered_ms > {now_ms - horizon_ms} GROUP BY queue, channel"
    )
    return {(q, c): (int(n), int(o)) for q, c, n, o in
            zip(result["queue"], result["channel"], result["waiting"], result["oldest_ms"])}


def newest_offered_by_queue(store: Store, now_ms: int, horizon_ms: int) -> dict[str, int]:
    """queue -> newest offered time (ms) within ``horizon_ms`` before now (the no-events alert's input)."""
    result = store.engine.query(
        f"SELECT queue, max(offered_ms) AS newest_ms FROM {store.db}.contact_facts FINAL "
        f"WHERE has_offered AND offered_ms <= {now_ms} AND offered_ms > {now_ms - horizon_ms} GROUP BY queue"
    )
    return {q: int(t) for q, t in zip(result["queue"], result["newest_ms"])}


def agents_by_state(store: Store, now_ms: int, horizon_ms: int) -> dict[str, int]:
    """state -> agents whose latest state (changed within ``horizon_ms``) it is."""
    result = store.engine.query(
        f"SELECT state, count() AS agents FROM (SELECT agent_id, argMax(state, ts_ms) AS state "
        f"FROM {store.db}.agent_states FINAL WHERE ts_ms <= {now_ms} AND ts_ms > {now_ms - horizon_ms} "
        f"GROUP BY agent_id) GROUP BY state"
    )
    return {s: int(n) for s, n in zip(result["state"], result["agents"])}


# --- the pre-aggregates (queue_intervals, agent_intervals) read like the facts ---------------------------------

def interval_components(db: str, settings: Settings, table: str, keys: dict[str, str], where: Sequence[str]) -> str:
    """The same columns as ``components_sql.contact_query`` (``k_<key>`` plus every ``AGGREGATES`` name), summed
    from a pre-aggregate table's 15-minute rows instead of the facts.

    ``keys`` are expressions over the table's row (``queue``, ``agent_id``,
    ``channel``, ``interval_ms``: the row's interval start in epoch ms).  FCR's
    window is applied here, per row's queue, to the stored gaps to the next
    contact: a resolved contact counts unless its gap is within the window,
    exactly the facts' ``f_repeat``.
    """
    parts = {name: f"sum({name})" for name in INTERVAL_COMPONENTS}
    parts["fcr_resolved"] = (f"sum(fcr_unrepeated) + sum(arrayCount(g -> g > {fcr_window_ms(settings)}, "
                             f"fcr_repeat_gaps_ms))")
    parts["frt_values_ms"] = "groupArrayArray(frt_values_ms)"
    parts["queues_seen"] = "groupUniqArray(queue)"
    missing = set(AGGREGATES) - set(parts)
    assert not missing, f"components the pre-aggregates lack: {missing}"
    key_select = [f"{expr} AS k_{name}" for name, expr in keys.items()]
    select = ", ".join(key_select + [f"{parts[name]} AS {name}" for name in AGGREGATES])
    group = f" GROUP BY {', '.join('k_' + name for name in keys)}" if keys else ""
    inner = f"SELECT *, toInt64(toUInt32(interval_start)) * 1000 AS interval_ms FROM {db}.{table} FINAL"
    return f"SELECT {select} FROM ({inner}) WHERE {' AND '.join(where) or '1'}{group}"


def interval_range(start_ms: int, end_ms: int) -> str:
    """The 15-minute rows of the half-open range (both ends on a 15-minute boundary)."""
    return f"interval_start >= toDateTime({start_ms // 1000}) AND interval_start < toDateTime({end_ms // 1000})"


def intervals_current(store: Store, settings: Settings, table: str, start_ms: int, end_ms: int) -> bool:
    """True when every row of the range was built with today's thresholds (a row built before them, or before
    its table kept them, is not read: the caller reads the facts)."""
    result = store.engine.query(
        f"SELECT count() AS stale FROM (SELECT queue, built_with FROM {store.db}.{table} FINAL "
        f"WHERE {interval_range(start_ms, end_ms)}) WHERE built_with != {thresholds(settings)}"
    )
    return not result["stale"] or int(result["stale"][0]) == 0
