"""The worker counts contacts flagged time_conflict in Prometheus, once each (real Kafka and ClickHouse)."""

from __future__ import annotations

import orjson
import pytest

from pipeline import metric_defs as m
from pipeline.store.store import Store
from tests.fixtures.events import answered, answered_call, ended, offered, wrapup
from tests.worker.conftest import Pipeline, eventually, metric_value

pytestmark = pytest.mark.integration


def test_time_conflicts_are_counted_by_the_worker(pipeline: Pipeline, tmp_path) -> None:
    events = [
        *answered_call("fine", 0, 10, 60, 5),
        offered("early", 30), answered("early", 25), ended("early", 85), wrapup("early", 90),  # answered 5 s early
        offered("backwards", 0), answered("backwards", 20), ended("backwards", 12),  # ended before answered
    ]
    path = tmp_path / "conflicts.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(e) for e in events) + b"\n")
    pipeline.produce(path)
    pipeline.produce(path)  # delivered twice: the same contacts, not counted again
    pipeline.start_worker()
    store = Store.open(pipeline.store_url, migrate_schema=False)
    try:
        pipeline.wait_stored(store, len(events), timeout=60)
        eventually(lambda: metric_value(pipeline.metrics(), m.TIME_CONFLICTS) == 2, 20,
                   "cckpi_contacts_time_conflict_total reaches 2")
        flagged = store.engine.query(f"SELECT contact_id FROM {store.db}.contact_facts FINAL WHERE time_conflict "
                                     "ORDER BY contact_id")
        assert flagged["contact_id"] == ["backwards", "early"]
    finally:
        store.close()
