"""Contact facts (and the side tables payroll reads) generated inside ClickHouse with ``numbers()``.

Large tables for the query and payroll benches are made by ``INSERT ...
SELECT ... FROM numbers(n)`` in chunks, never through the worker: only the
shape matters (queues, channels, answer and abandon shares, handle times,
dispositions, surveys, customers who call again).  The SQL is the subset
ClickHouse 18.16 and chDB share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipeline.store import next_contact
from pipeline.store.components_sql import WAITING
from pipeline.store.store import Store

QUEUES = ("billing", "support", "sales", "webchat")
# contact ids are 'c' and ten digits of n: in time order, like an ACD's (Asterisk's uniqueid is epoch.sequence), so a
# day's contacts are neighbours in contact_facts' primary key and the day-by-day interval rebuild reads only them
CHUNK = 5_000_000


@dataclass(frozen=True)
class Shape:
    contacts: int
    start_ms: int  # offered times spread evenly over [start_ms, start_ms + span_ms)
    span_ms: int
    agents: int = 2000

    @property
    def customers(self) -> int:
        return max(1, self.contacts // 3)  # a customer calls about three times in the period


def _facts_select(shape: Shape, offset: int, count: int) -> str:
    queues = "[" + ", ".join(f"'{q}'" for q in QUEUES) + "]"
    h = "intHash32(n + {k})"
    return f"""
SELECT
    n,
    concat('c', substring(toString(n + 10000000000), 2)) AS contact_id,
    toUInt64(1) AS version,
    toUInt8(1) AS has_offered,
    toInt64({shape.start_ms} + intDiv(n * {shape.span_ms}, {shape.contacts})) AS o,
    arrayElement({queues}, (n % {len(QUEUES)}) + 1) AS q,
    if(q = 'webchat', 'chat', 'voice') AS ch,
    if(n % 10 = 9, 'outbound', 'inbound') AS dir,
    concat('k', toString({h.format(k=11)} % {shape.customers})) AS customer,
    toUInt8({h.format(k=1)} % 100 < 92) AS ans,
    concat('a', toString(n % {shape.agents})) AS agent,
    toInt64({h.format(k=2)} % 60000) AS wait,
    toInt64(60000 + {h.format(k=3)} % 400000) AS talk,
    toInt64(if(n % 5 = 0, 30000, 0)) AS hold,
    toInt64(5000 + {h.format(k=4)} % 60000) AS acw,
    arrayElement(['resolved', 'resolved', 'resolved', 'unresolved', 'escalated'], ({h.format(k=5)} % 5) + 1) AS dispo
FROM (SELECT number + {offset} AS n FROM numbers({count}))"""


def _insert_facts(shape: Shape, db: str, offset: int, count: int) -> str:
    return f"""
INSERT INTO {db}.contact_facts (contact_id, version, has_offered, offered_ms, queue, channel, direction,
    customer_key, agent_id, is_answered, is_abandoned, answered_ms, abandoned_ms, ended_ms, wrapup_ms, wait_ms,
    hold_ms, talk_ms, acw_ms, handle_ms, wrapup_complete, disposition, transferred, first_response_ms, csat, nps,
    state)
SELECT contact_id, version, has_offered, o, q, ch, dir, customer, if(ans, agent, ''), ans, toUInt8(NOT ans),
    if(ans, o + wait, NULL), if(ans, NULL, o + wait), if(ans, o + wait + talk + hold, NULL),
    if(ans, o + wait + talk + hold + acw, NULL), toNullable(wait), if(ans, hold, toInt64(0)), if(ans, talk, NULL),
    if(ans, acw, NULL), if(ans, talk + hold + acw, NULL), ans, if(ans, dispo, ''), toUInt8(ans AND n % 20 = 0),
    if(ans AND ch = 'chat', wait + 4000, NULL), if(ans AND n % 5 = 0, toUInt8(1 + intHash32(n + 6) % 5), NULL),
    if(ans AND n % 7 = 0, toUInt8(intHash32(n + 7) % 11), NULL), ''
FROM ({_facts_select(shape, offset, count)})"""


def generate_facts(store: Store, shape: Shape, on_chunk: Callable[[int], None] = lambda n: None) -> None:
    for offset in range(0, shape.contacts, CHUNK):
        count = min(CHUNK, shape.contacts - offset)
        store.engine.command(_insert_facts(shape, store.db, offset, count))
        on_chunk(offset + count)
    # the offered-time index the store keeps beside the facts (written by Store.write_states otherwise)
    store.engine.command(f"INSERT INTO {store.db}.contact_offers (offered_ms, contact_id, direction, queue, channel, "
                         f"agent_id, is_answered, is_abandoned, is_waiting) "
                         f"SELECT offered_ms, contact_id, direction, queue, channel, agent_id, is_answered, "
                         f"is_abandoned, {WAITING} FROM {store.db}.contact_facts WHERE has_offered")
    # and the customers' next contacts (Store.write_states and next_contact.link otherwise)
    next_contact.backfill(store, parts=max(1, shape.contacts // CHUNK))


def generate_side_tables(store: Store, shape: Shape) -> None:
    """QA evaluations (2 % of contacts), complaints (0.5 %) and agent states (log in 09:00, out 17:00 each day)."""
    db, facts = store.db, _facts_select(shape, 0, shape.contacts)
    store.engine.command(
        f"INSERT INTO {db}.qa_evaluations (event_id, ts_ms, contact_id, agent_id, score, fatal_errors, "
        f"nonfatal_errors, opportunities, source) "
        f"SELECT concat('qa', toString(n)), o + 86400000, concat('c', substring(toString(n + 10000000000), 2)), agent, "
        f"toFloat64(60 + intHash32(n + 8) % 41), toUInt32(intHash32(n + 9) % 50 = 0), toUInt32(n % 3), "
        f"toUInt32(20), if(n % 4 = 0, 'external', 'internal') FROM ({facts}) WHERE ans AND n % 50 = 0")
    store.engine.command(
        f"INSERT INTO {db}.complaints (event_id, ts_ms, agent_id, contact_id, valid, escalated) "
        f"SELECT concat('cp', toString(n)), o + 3600000, agent, concat('c', substring(toString(n + 10000000000), 2)), toUInt8(n % 3 != 0), "
        f"toUInt8(n % 7 = 0) FROM ({facts}) WHERE ans AND n % 200 = 0")
    days = max(1, shape.span_ms // 86_400_000)
    store.engine.command(
        f"INSERT INTO {db}.agent_states (event_id, ts_ms, agent_id, state, reason) "
        f"SELECT concat('as', toString(number)), "
        f"toInt64({shape.start_ms} + intDiv(number, {shape.agents * 2}) * 86400000 + if(number % 2 = 0, 3600000, "
        f"32400000)), concat('a', toString(intDiv(number, 2) % {shape.agents})), "
        f"if(number % 2 = 0, 'available', 'logged_out'), '' FROM numbers({days * shape.agents * 2})")


def roster_csv(shape: Shape, teams: int = 20) -> str:
    lines = ["agent_id,name,team,hire_date"]
    lines += [f"a{i},Agent {i},team-{i % teams:02d},2025-01-01" for i in range(shape.agents)]
    return "\n".join(lines) + "\n"
