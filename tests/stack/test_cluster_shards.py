"""A sharded store on the real cluster: 2 shards of 1 replica, two workers, the single-node numbers.

The cluster is started in that layout (CCKPI_STACK__CLUSTER__CLICKHOUSE_SHARDS=2,
..._REPLICAS=1) and stopped at the end. The migrations then create each table
as a replicated local table per shard plus a Distributed table over them,
sharded by its ORDER BY key (docs/scale-out.md). Each shard must hold a part
of the contacts, and the report must equal a single-node replay.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.stack.cluster.cluster_info import ClusterInfo
from pipeline.store.store import Store
from tests.stack.cluster_run import Day, Run, drop_everywhere, make_day, running_sharded_cluster, same_as

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def sharded() -> Iterator[ClusterInfo]:
    with running_sharded_cluster() as info:
        yield info


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory, chdb_dir: Path) -> Day:
    return make_day(tmp_path_factory.mktemp("sharded-day"), chdb_dir)


def test_two_shards_split_the_contacts_and_give_the_single_node_report(sharded: ClusterInfo, day: Day,
                                                                       tmp_path: Path) -> None:
    run = Run(sharded, tmp_path)
    store = Store.open(run.url)
    try:
        assert store.engine.shards == 2
        run.start_worker()
        run.start_worker()
        producer = run.produce(day.path, rate=day.distinct / 8)
        assert producer.wait(timeout=120) == 0, producer.stderr.read() if producer.stderr else ""
        run.wait_stored(store, day.distinct, timeout=150)
        assert run.stored(store) == day.distinct
        same_as(day, store, timeout=30)
        per_shard = []
        for host in sharded.clickhouse:
            alone = Store.open(sharded.store_url("cckpi_admin", run.db, host=host), migrate_schema=False)
            try:
                per_shard.append(int(alone.engine.query(
                    f"SELECT uniqExact(contact_id) AS n FROM {run.db}.contact_facts_local")["n"][0]))
            finally:
                alone.close()
        print(f"\ncontacts per shard: {per_shard}")
        assert all(n > 0 for n in per_shard)
        total = int(store.engine.query(f"SELECT uniqExact(contact_id) AS n FROM {run.db}.contact_facts")["n"][0])
        assert sum(per_shard) == total  # each contact on exactly one shard
    finally:
        run.stop()
        store.close()
        drop_everywhere(sharded, run.db)
