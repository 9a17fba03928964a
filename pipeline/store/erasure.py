"""A customer's erasure: their pseudonym blanked in the facts and raw events, their index rows removed.

Blanked, not deleted: a contact still counts in every report and pay figure
(numbers decide pay, and a closed month must not move), it only no longer
names the customer.  ``contact_next`` holds contact ids only and keeps its
links, so FCR of the past stays what it was; ``customer_contacts`` (the index
by customer) loses the customer's rows, so no later contact is linked to
them.  Dead-letter files are the caller's (``pipeline.ingest.dead_letter``).
Mutations are asynchronous on both engines; this waits until they are done.
"""

from __future__ import annotations

import time

from pipeline.store.engines import literal
from pipeline.store.store import Store

ERASURE_COLUMNS = {"at_ms": "int", "who": "str", "contact_facts": "int", "events": "int", "customer_contacts": "int",
                   "dead_letters": "int"}


def erase(store: Store, pseudonym: str, timeout_s: float = 300) -> dict[str, int]:
    """Blank or remove ``pseudonym`` everywhere in the store; returns rows touched per table."""
    db, key = store.db, literal(pseudonym)
    places = {
        "contact_facts": (f"customer_key = {key}",
                          f"UPDATE customer_key = '', state = replaceAll(state, {key}, '')"),
        "events": (f"type = 'contact.offered' AND position(raw, {key}) > 0", f"UPDATE raw = replaceAll(raw, {key}, '')"),
        "customer_contacts": (f"customer_key = {key}", "DELETE"),
    }
    counts = {}
    for table, (where, change) in places.items():
        counts[table] = int(store.engine.query(f"SELECT count() AS n FROM {db}.{table} WHERE {where}")["n"][0])
        if counts[table]:
            store.engine.command(f"ALTER TABLE {db}.{table} {change} WHERE {where}")
    wait_for_mutations(store, timeout_s, "the erasure's changes")
    return counts


def record(store: Store, who: str, counts: dict[str, int], at_ms: int | None = None) -> None:
    """The erasure in ``erasures``: who, when, the counts; never the key."""
    row = {"at_ms": at_ms if at_ms is not None else int(time.time() * 1000), "who": who, **counts}
    store.engine.insert("erasures", {name: [row.get(name, 0)] for name in ERASURE_COLUMNS}, ERASURE_COLUMNS)


def wait_for_mutations(store: Store, timeout_s: float, what: str) -> None:
    """Until ``system.mutations`` has none left undone in the store's database (both engines run ALTER TABLE
    ... UPDATE/DELETE in the background); ``what`` names them in the timeout's message."""
    deadline = time.monotonic() + timeout_s
    while int(store.engine.query(f"SELECT count() AS n FROM system.mutations WHERE database = {literal(store.db)} "
                                 f"AND is_done = 0")["n"][0]):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} in {store.db} were not done in {timeout_s:.0f} s; "
                               f"see system.mutations")
        time.sleep(0.2)
