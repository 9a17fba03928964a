"""Migration 0012 on a store that already holds facts: the listing's filters filled in for every offered contact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.store.contacts import ContactFilter, list_contacts
from pipeline.store.migrations import load, migrate
from pipeline.store.store import Store
from tests.fixtures.stores import ENGINES, store_migrated_to

NOV_2_0900 = 1793581200000  # 2026-11-02 09:00 Asia/Shanghai
NOV = (1793462400000, 1796054400000)  # November 2026 in Asia/Shanghai


@pytest.fixture(params=ENGINES)
def old_store(request: pytest.FixtureRequest, chdb_dir: Path, tmp_path: Path) -> Iterator[Store]:
    """A store migrated to 0011 only, as a deployment before this change left it."""
    yield from store_migrated_to(request.param, chdb_dir, tmp_path, 11)


def test_contacts_stored_before_0012_are_listed_by_their_latest_state(old_store: Store) -> None:
    # o1: waiting at version 1, abandoned at version 2 (two unmerged facts, two old index rows);
    # o2: answered in sales; o3: an outbound contact; o4: a fact never offered (not indexed, not listed)
    columns = {
        "contact_id": ["o1", "o1", "o2", "o3", "o4"], "version": [1, 2, 2, 2, 2],
        "has_offered": [True, True, True, True, False],
        "offered_ms": [NOV_2_0900, NOV_2_0900, NOV_2_0900 + 60_000, NOV_2_0900 + 120_000, 0],
        "queue": ["billing", "billing", "sales", "billing", ""], "channel": ["voice"] * 4 + [""],
        "direction": ["inbound", "inbound", "inbound", "outbound", ""],
        "agent_id": ["", "", "a7", "a7", ""], "is_answered": [False, False, True, True, False],
        "is_abandoned": [False, True, False, False, False],
        "ended_ms": [None, None, NOV_2_0900 + 90_000, NOV_2_0900 + 200_000, None],
        "hold_ms": [0] * 5, "state": [""] * 5,
    }
    types = {"contact_id": "str", "version": "int", "has_offered": "bool", "offered_ms": "int", "queue": "str",
             "channel": "str", "direction": "str", "agent_id": "str", "is_answered": "bool", "is_abandoned": "bool",
             "ended_ms": "int", "hold_ms": "int", "state": "str"}
    old_store.engine.insert("contact_facts", columns, types)
    offers = {"offered_ms": columns["offered_ms"][:4], "contact_id": columns["contact_id"][:4]}  # the old index
    old_store.engine.insert("contact_offers", offers, {"offered_ms": "int", "contact_id": "str"})
    assert migrate(old_store.engine) == load()[-1].version

    def listed(**wanted: object) -> list[tuple[str, str]]:
        rows = list_contacts(old_store, ContactFilter(*NOV, **wanted), 1).rows  # type: ignore[arg-type]
        page = list_contacts(old_store, ContactFilter(*NOV, **wanted), 500).rows  # type: ignore[arg-type]
        assert rows == page[:1]
        return [(r["contact_id"], r["outcome"]) for r in page]

    assert listed() == [("o1", "abandoned"), ("o2", "answered")]
    assert listed(queues=("billing",), outcome="abandoned") == [("o1", "abandoned")]
    assert listed(outcome="waiting") == []
    assert listed(agent_id="a7", channel="voice") == [("o2", "answered")]
    assert listed(direction="outbound") == [("o3", "answered")]
