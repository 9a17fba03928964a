"""Named reads over the store's tables, beside its writes (``store.py``).

Callers (the worker's clock and gauges, reports, payroll, dashboards) ask
for a figure by name instead of writing SQL, so a column change touches the
migrations and ``pipeline/store/`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.store.engines import Columns, literal
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


def events_first_ingested_after(store: Store, start_ms: int, end_ms: int, after_ms: int) -> list[dict[str, Any]]:
    """Events of [start_ms, end_ms) first stored after ``after_ms`` (a closed payroll month's late events).

    An event belongs to the range when its own time falls in it or its
    contact was offered in it (a survey a week later changes that contact's
    month).  The first ingestion counts, so a replayed duplicate is not late.
    """
    db = store.db
    contacts = (f"SELECT contact_id FROM {db}.contact_facts FINAL "
                f"WHERE has_offered AND offered_ms >= {start_ms} AND offered_ms < {end_ms}")
    result = store.engine.query(
        f"SELECT event_id, any(type) AS e_type, any(ts_ms) AS e_ts_ms, any(agent_id) AS e_agent_id, "
        f"any(contact_id) AS e_contact_id, min(ingested_ms) AS first_ingested_ms FROM {db}.events "
        f"WHERE (ts_ms >= {start_ms} AND ts_ms < {end_ms}) OR contact_id IN ({contacts}) "
        f"GROUP BY event_id HAVING first_ingested_ms > {after_ms} ORDER BY e_ts_ms, event_id")
    names = [n[2:] if n.startswith("e_") else n for n in result]  # the e_ aliases keep WHERE on the columns
    return [dict(zip(names, values)) for values in zip(*result.values())]


def answered_by_agent(store: Store, start_ms: int, end_ms: int) -> Columns:
    """Per agent, channel and direction: answered contacts offered in the range, resolved, with a disposition."""
    return store.engine.query(
        f"SELECT agent_id, channel, direction, sum(is_answered) AS handled, "
        f"sum(is_answered AND disposition = 'resolved') AS resolved, "
        f"sum(is_answered AND disposition != '') AS disposed "
        f"FROM {store.db}.contact_facts FINAL "
        f"WHERE has_offered AND agent_id != '' AND offered_ms >= {start_ms} AND offered_ms < {end_ms} "
        f"GROUP BY agent_id, channel, direction"
    )


def attributed_by_agent(store: Store, table: str, aggregates: str, group: str, start_ms: int, end_ms: int) -> Columns:
    """QA evaluations or complaints (``table``) attributed to their contact's offered time (own time if unknown).

    Only the contacts the table names are joined: the whole facts table would
    be the join's in-memory right side.
    """
    facts = (f"SELECT contact_id, has_offered, offered_ms FROM {store.db}.contact_facts FINAL "
             f"WHERE has_offered AND contact_id IN (SELECT contact_id FROM {store.db}.{table})")
    when = "if(has_offered, offered_ms, ts_ms)"
    return store.engine.query(
        f"SELECT {group}, {aggregates} FROM {store.db}.{table} FINAL "
        f"ANY LEFT JOIN ({facts}) AS facts USING contact_id "
        f"WHERE {when} >= {start_ms} AND {when} < {end_ms} GROUP BY {group}"
    )


def time_conflict_contacts(store: Store, columns: Sequence[str], start_ms: int, end_ms: int, direction: str,
                           queues: Sequence[str] = ()) -> Columns:
    """Contacts flagged ``time_conflict`` offered in [start_ms, end_ms), by offered time: these ``columns``."""
    where = [f"has_offered AND time_conflict AND direction = {literal(direction)}",
             f"offered_ms >= {start_ms} AND offered_ms < {end_ms}"]
    if queues:
        where.append(f"queue IN ({', '.join(literal(q) for q in queues)})")
    return store.engine.query(
        f"SELECT {', '.join(columns)} FROM {store.db}.contact_facts FINAL WHERE {' AND '.join(where)} "
        "ORDER BY offered_ms, contact_id")
