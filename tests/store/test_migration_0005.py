"""Migration 0005 on a store that already holds facts: old abandoned contacts read as `customer`, no conflicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.store.migrations import load, migrate
from pipeline.store.store import Store
from tests.fixtures.stores import ENGINES, store_migrated_to, report


@pytest.fixture(params=ENGINES)
def old_store(request: pytest.FixtureRequest, chdb_dir: Path, tmp_path: Path) -> Iterator[Store]:
    """A store migrated to 0004 only, as a deployment before this change left it."""
    yield from store_migrated_to(request.param, chdb_dir, tmp_path, 4)


def test_facts_stored_before_0005_keep_counting(old_store: Store) -> None:
    # 2026-11-02 09:00 and 09:01 in Asia/Shanghai: one abandoned after 20 s, one answered after 10 s
    columns = {"contact_id": ["old-ab", "old-an"], "version": [1, 1], "has_offered": [True, True],
               "offered_ms": [1793581200000, 1793581260000], "queue": ["billing", "billing"],
               "channel": ["voice", "voice"], "direction": ["inbound", "inbound"], "is_answered": [False, True],
               "is_abandoned": [True, False], "wait_ms": [20000, 10000], "hold_ms": [0, 0], "state": ["", ""]}
    types = {"contact_id": "str", "version": "int", "has_offered": "bool", "offered_ms": "int", "queue": "str",
             "channel": "str", "direction": "str", "is_answered": "bool", "is_abandoned": "bool", "wait_ms": "int",
             "hold_ms": "int", "state": "str"}
    old_store.engine.insert("contact_facts", columns, types)
    offers = {"offered_ms": columns["offered_ms"], "contact_id": columns["contact_id"]}  # the index the store keeps
    old_store.engine.insert("contact_offers", offers, {"offered_ms": "int", "contact_id": "str"})
    assert migrate(old_store.engine) == load()[-1].version  # the latest, whatever number it has
    (row,) = report(old_store, "2026-11-02", "2026-11-03")
    assert (row["offered"], row["answered"], row["abandoned"], row["asa_s"]) == (2, 1, 1, 10.0)
    assert row["abandoned_by_reason"] == {"customer": 1, "timeout": 0, "empty": 0, "key": 0}
    assert row["time_conflicts"] == 0


def test_an_add_column_applied_twice_counts_as_applied(old_store: Store) -> None:
    """Two processes migrating at once: the second ADD COLUMN finds the column there and goes on."""
    from pipeline.store.migrations import _apply

    statement = f"ALTER TABLE {old_store.db}.contact_facts ADD COLUMN time_conflict UInt8 DEFAULT 0"
    _apply(old_store.engine, statement)
    _apply(old_store.engine, statement)
    with pytest.raises(Exception, match="UNKNOWN_TABLE|doesn't exist|does not exist"):
        _apply(old_store.engine, f"ALTER TABLE {old_store.db}.no_such_table ADD COLUMN x UInt8")
