"""Intervals written but not yet rebuilt (``stale_intervals``): a deferred rebuild survives the worker.

Read with ``argMax`` rather than ``FINAL``, which ClickHouse 18.16 cannot
run over a sharded cluster's ``Distributed`` table.
"""

from __future__ import annotations

from collections.abc import Collection

from pipeline.store.store import Store

_COLUMNS = {"interval_ms": "int", "version": "int", "stale": "int"}


def mark(store: Store, starts: Collection[int], version: int) -> None:
    """These intervals (local starts, epoch ms) hold contacts their pre-aggregates do not count yet."""
    _write(store, starts, version, 1)


def clear(store: Store, starts: Collection[int], version: int) -> None:
    """These intervals were rebuilt from the facts as they stood at ``version`` (taken before the rebuild)."""
    _write(store, starts, version, 0)


def stale(store: Store) -> set[int]:
    """Every interval still marked stale."""
    result = store.engine.query(
        f"SELECT interval_ms FROM (SELECT interval_ms, argMax(stale, version) AS is_stale "
        f"FROM {store.db}.stale_intervals GROUP BY interval_ms) WHERE is_stale = 1")
    return {int(start) for start in result["interval_ms"]}


def _write(store: Store, starts: Collection[int], version: int, flag: int) -> None:
    if starts:
        ordered = sorted(starts)
        store.engine.insert("stale_intervals", {"interval_ms": ordered, "version": [version] * len(ordered),
                                                "stale": [flag] * len(ordered)}, _COLUMNS)
