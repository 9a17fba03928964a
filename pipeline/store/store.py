"""The store: idempotent writes of contacts and events, and the reads that merge.

Every write can be repeated: contact facts are replaced by a later version
(ReplacingMergeTree), event rows collapse on their event id.  So at-least-once
delivery plus this store gives exact numbers, and a replay of the same events
twice changes nothing (docs/design.md section 4).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from pipeline.core import events as ev
from pipeline.core.contact import ContactState
from pipeline.store import rows
from pipeline.store.engine_choice import open_engine
from pipeline.store.engines import Engine, literal
from pipeline.store.migrations import migrate

_state_decoder = msgspec.json.Decoder(ContactState)
_LOOKUP_CHUNK = 5000


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.db = engine.database
        self._last_version = 0

    @classmethod
    def open(cls, url: str, *, migrate_schema: bool = True) -> Store:
        store = cls(open_engine(url))
        if migrate_schema:
            migrate(store.engine)
        return store

    def beside(self) -> Store | None:
        """The same store on a connection of its own, for a read run at the same time (None: the engine runs
        one query at a time)."""
        engine = self.engine.beside()
        return None if engine is None else Store(engine)

    def close(self) -> None:
        self.engine.close()

    def ping(self) -> None:
        """Raise unless the store answers a query (health checks)."""
        self.engine.query("SELECT 1 AS ok")

    def drop(self) -> None:
        """Drop the store's whole database (the demo starts its numbers from nothing)."""
        self.drop_database(self.db)

    def drop_database(self, database: str) -> None:
        """Drop ``database`` (on every server of a cluster)."""
        from pipeline.store.cluster_sql import cluster_form

        self.engine.command(cluster_form(f"DROP DATABASE IF EXISTS {database}", self.engine.cluster))

    def next_version(self) -> int:
        """Strictly increasing per process: a later write of a contact wins."""
        self._last_version = max(self._last_version + 1, time.time_ns() // 1000)
        return self._last_version

    def load_states(self, contact_ids: Iterable[str]) -> dict[str, ContactState]:
        """The stored states of these contacts (absent ones are missing from the result)."""
        ids = list(contact_ids)
        found: dict[str, ContactState] = {}
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            chunk = ids[start : start + _LOOKUP_CHUNK]
            result = self.engine.query(
                f"SELECT contact_id, argMax(state, version) AS state FROM {self.db}.contact_facts "
                f"WHERE contact_id IN ({', '.join(literal(i) for i in chunk)}) GROUP BY contact_id"
            )
            for contact_id, blob in zip(result["contact_id"], result["state"]):
                found[contact_id] = _state_decoder.decode(blob)
        return found

    def write_states(self, states: Sequence[ContactState]) -> list[str]:
        """The indexes first (offered time, customer), then the facts, then the customers' next contacts.

        A crash between them leaves an extra candidate in an index, never a fact
        an index cannot find; the next contacts are linked after the index rows
        are in, so of two workers writing one customer at once, at least one
        sees both contacts (``next_contact``).  Returns the ids of the contacts
        written with a time conflict.
        """
        if not states:
            return []
        facts = rows.fact_columns(states, self.next_version())
        offers = rows.offer_columns(facts)
        if offers["contact_id"]:
            self.engine.insert("contact_offers", offers, rows.OFFER_COLUMNS)
        customers = rows.customer_columns(facts)
        if customers["contact_id"]:
            self.engine.insert("customer_contacts", customers, rows.CUSTOMER_COLUMNS)
        self.engine.insert("contact_facts", facts, rows.FACT_COLUMNS)
        return [cid for cid, conflict in zip(facts["contact_id"], facts["time_conflict"]) if conflict]

    def write_events(self, accepted: Sequence[tuple[ev.Event, int, str]]) -> None:
        """Raw events plus the per-type tables for events that are not about one contact's timeline."""
        if not accepted:
            return
        self.engine.insert("events", rows.event_columns(accepted, int(time.time() * 1000)), rows.EVENT_COLUMNS)
        by_type: dict[type, list[Any]] = {kind: [] for kind in rows.SIDE_TABLES}
        for event, ts_ms, _raw in accepted:  # one pass: a worker batch holds up to 50,000 events
            side = by_type.get(type(event))
            if side is not None:
                side.append((event, ts_ms))
        for kind, items in by_type.items():
            if items:
                table, types = rows.SIDE_TABLES[kind]
                self.engine.insert(table, rows.event_rows(items, types), types)
