"""``Store.beside``: the server gives a second connection to the same database, which reads what this one wrote
while this one reads too; chDB, one session a process, gives none (both engines)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pipeline.store.store import Store
from tests.fixtures.events import event
from tests.fixtures.stores import ingest, report


def test_beside_reads_the_same_database_on_a_connection_of_its_own(store: Store) -> None:
    ingest(store, [event("contact.offered", 0, contact_id="c1", channel="voice", queue="sales")])
    beside = store.beside()
    if store.engine.__class__.__name__ == "ChdbEngine":
        assert beside is None
        return
    assert beside is not None and beside.db == store.db and beside.engine is not store.engine
    try:
        count = f"SELECT count() AS n FROM {store.db}.contact_facts"
        with ThreadPoolExecutor(max_workers=1) as pool:
            other = pool.submit(beside.engine.query, count)
            assert store.engine.query(count)["n"] == [1]
            assert other.result()["n"] == [1]
    finally:
        beside.close()
    assert store.engine.query(count)["n"] == [1]  # closing the second connection leaves this one open


def test_a_report_by_agent_read_beside_is_the_report_read_alone(store: Store, monkeypatch) -> None:
    """The agent time read on the second connection, the contacts on this one: the same rows as all on one."""
    ingest(store, [
        event("agent.state", -600, agent_id="a1", state="available"),
        event("contact.offered", 0, contact_id="c1", channel="voice", queue="sales"),
        event("contact.answered", 20, contact_id="c1", agent_id="a1"),
        event("contact.ended", 320, contact_id="c1"),
        event("contact.wrapup_completed", 380, contact_id="c1", agent_id="a1"),
        event("agent.state", 3600, agent_id="a1", state="logged_out"),
    ])
    together = report(store, "2026-11-02T08:00", "2026-11-02T12:00", by=("agent",))
    monkeypatch.setattr(Store, "beside", lambda self: None)
    alone = report(store, "2026-11-02T08:00", "2026-11-02T12:00", by=("agent",))
    assert together == alone
    (row,) = together
    assert (row["agent_id"], row["answered"], row["logged_in_s"]) == ("a1", 1, 4200)
