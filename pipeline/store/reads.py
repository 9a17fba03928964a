"""Named reads over the store's tables, beside its writes (``store.py``).

Callers (the worker's clock and gauges, reports, payroll, dashboards) ask
for a figure by name instead of writing SQL, so a column change touches the
migrations and ``pipeline/store/`` only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from pipeline.settings import Settings
from pipeline.store import agent_reads
from pipeline.store.components_sql import AGGREGATES, WAITING, fcr_window_ms, thresholds
from pipeline.store.engines import Columns, literal
from pipeline.store.queue_intervals import COMPONENTS as INTERVAL_COMPONENTS
from pipeline.store.queue_intervals import rows_in
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
        f"WHERE has_offered AND direction = 'inbound' AND {WAITING} "
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


def agents_by_state(store: Store, now_ms: int) -> dict[str, int]:
    """state -> agents in it now (the live grid's states: ``agent_reads.states_now``), logged-out ones too."""
    return dict(Counter(now.state for now in agent_reads.states_now(store, now_ms).values()))


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
    inner = f"SELECT *, toInt64(toUInt32(interval_start)) * 1000 AS interval_ms FROM {db}.{table} FINAL"
    summed = f"SELECT {select} FROM ({inner}) WHERE {' AND '.join(where) or '1'}"
    if not keys:
        return summed
    # a key whose rows are all tombstones (queue_intervals._replace) offered nothing: no row, as on the facts
    return f"SELECT * FROM ({summed} GROUP BY {', '.join('k_' + name for name in keys)}) WHERE offered > 0"


def interval_range(start_ms: int, end_ms: int) -> str:
    """The 15-minute rows of the half-open range (both ends on a 15-minute boundary)."""
    return rows_in([(start_ms, end_ms)])


def intervals_current(store: Store, settings: Settings, table: str, start_ms: int, end_ms: int) -> bool:
    """True when every row of the range was built with today's thresholds (a row built before them, or before
    its table kept them, is not read: the caller reads the facts)."""
    result = store.engine.query(
        f"SELECT count() AS stale FROM (SELECT queue, built_with FROM {store.db}.{table} FINAL "
        f"WHERE {interval_range(start_ms, end_ms)}) WHERE built_with != {thresholds(settings)}"
    )
    return not result["stale"] or int(result["stale"][0]) == 0



# --- what reports read besides the contacts' components ----------------------------------------------------------

def queues_offered(store: Store, direction: str, start_ms: int, end_ms: int) -> list[str]:
    """The queues with a contact of this direction offered in [start_ms, end_ms), sorted."""
    result = store.engine.query(
        f"SELECT DISTINCT queue FROM {store.db}.contact_facts FINAL WHERE has_offered "
        f"AND direction = {literal(direction)} AND offered_ms >= {start_ms} AND offered_ms < {end_ms} ORDER BY queue"
    )
    return list(result["queue"])


def offered_span(store: Store, direction: str) -> tuple[int, int] | None:
    """First and last offered time stored (epoch ms) of this direction, or None when there is none."""
    result = store.engine.query(
        f"SELECT count() AS n, min(offered_ms) AS first, max(offered_ms) AS last FROM {store.db}.contact_facts "
        f"FINAL WHERE has_offered AND direction = {literal(direction)}"
    )
    if not result["n"] or not result["n"][0]:
        return None
    return int(result["first"][0]), int(result["last"][0])


# QA scores summed as integer thousandths: a float sum's last digit depends on the order ClickHouse's
# threads and parts add the rows in, and the report's and payroll's QA averages must not
QA_SCORE_SUM = "sum(toInt64(round(score * 1000))) / 1000"

# table -> its components
SIDE_COMPONENTS: dict[str, str] = {
    "qa_evaluations": f"count() AS qa_evaluations, {QA_SCORE_SUM} AS qa_score_sum, "
    "sum(fatal_errors > 0) AS qa_fatal_evaluations, sum(nonfatal_errors) AS qa_nonfatal_sum, "
    "sum(opportunities) AS qa_opportunities_sum",
    "complaints": "sum(valid) AS complaints_valid, sum(escalated) AS complaints_escalated, "
    "count() AS complaint_events",
}


_JOINED_FACTS = ("has_offered", "offered_ms", "queue", "channel", "direction")


def side_components(store: Store, table: str, keys: dict[str, str], where: Sequence[str],
                    aggregates: str | None = None) -> Columns:
    """``aggregates`` (default ``SIDE_COMPONENTS[table]``) grouped by ``keys`` (``k_<name>``), each record joined
    to its contact's fact (``has_offered``, ``offered_ms``, ``queue``, ``channel``, ``direction``;
    ``has_offered`` 0 when unknown).  Reports and the payroll rollup both attribute QA and complaints here.

    The join's facts side is each named contact's latest version (``argMax`` by
    version, as ``Store.load_states`` reads a state), grouped from the rows the
    names select.  ``FINAL`` merged every fact of the table before the names
    filtered them, on one thread: at 50 million facts, with QA on 2 % of the
    contacts and complaints on 0.5 %, 8.9 and 8.7 s against 2.9 and 1.8 s, the
    same rows.  Nothing is read when the table is empty (a centre without QA or
    complaint feeds)."""
    db = store.db
    if not int(store.engine.query(f"SELECT count() AS n FROM {db}.{table}")["n"][0]):
        return {}  # callers read it with .get(..., ())
    # only the contacts this table names: the whole facts table would be the join's in-memory right side
    latest = ", ".join(f"argMax({c}, version) AS {c}" for c in _JOINED_FACTS)
    facts = (f"SELECT contact_id, {', '.join(_JOINED_FACTS)} FROM (SELECT contact_id, {latest} "
             f"FROM {db}.contact_facts WHERE contact_id IN (SELECT contact_id FROM {db}.{table}) "
             f"GROUP BY contact_id) WHERE has_offered")
    key_select = "".join(f"{expr} AS k_{name}, " for name, expr in keys.items())
    group = f" GROUP BY {', '.join('k_' + n for n in keys)}" if keys else ""
    return store.engine.query(
        f"SELECT {key_select}{aggregates or SIDE_COMPONENTS[table]} FROM {db}.{table} FINAL "
        f"ANY LEFT JOIN ({facts}) AS facts "
        f"USING contact_id WHERE {' AND '.join(where) or '1'}{group}"
    )


def conflicted_contacts(store: Store, columns: Sequence[str], direction: str, start_ms: int, end_ms: int,
                        queues: Sequence[str] = ()) -> Columns:
    """These fact columns of the contacts flagged ``time_conflict`` offered in the range, by offered time."""
    where = [f"has_offered AND time_conflict AND direction = {literal(direction)}",
             f"offered_ms >= {start_ms} AND offered_ms < {end_ms}"]
    if queues:
        where.append(f"queue IN ({', '.join(literal(q) for q in queues)})")
    return store.engine.query(
        f"SELECT {', '.join(columns)} FROM {store.db}.contact_facts FINAL WHERE {' AND '.join(where)} "
        "ORDER BY offered_ms, contact_id")
