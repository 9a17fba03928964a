"""Named reads over the store's tables, beside its writes (``store.py``).

Callers (the worker's clock and gauges, reports, payroll, dashboards) ask
for a figure by name instead of writing SQL, so a column change touches the
migrations and ``pipeline/store/`` only.
"""

from __future__ import annotations

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
