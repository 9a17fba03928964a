"""Scale-out on the real cluster: two workers, a Kafka node, a ClickHouse replica and a worker killed mid-stream.

The module starts the cluster itself (`cckpi stack up --cluster`: 3 KRaft
Kafka nodes, ZooKeeper, 2 ClickHouse replicas; its own folder and 29xxx ports,
beside the single stack) and stops it at the end, also when a test fails.
The reference is a single-node replay (the embedded store) of the same
shuffled file with repeats; the cluster must give the same report, and so must
each replica read alone after it caught up (docs/scale-out.md).
"""

from __future__ import annotations

import time

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.stack.cluster.cluster_info import ClusterInfo
from pipeline.store.store import Store
from tests.stack.cluster_run import Day, Run, cckpi, drop_everywhere, kill, make_day, running_cluster, same_as

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(420)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[ClusterInfo]:
    with running_cluster() as info:
        yield info


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory, chdb_dir: Path) -> Day:
    return make_day(tmp_path_factory.mktemp("cluster-day"), chdb_dir)


def test_two_workers_survive_a_broker_a_replica_and_a_worker_killed_mid_stream(
        cluster: ClusterInfo, day: Day, tmp_path: Path) -> None:
    run = Run(cluster, tmp_path)
    store = Store.open(run.url)  # the fresh database, migrated ON CLUSTER before the workers start
    try:
        run.start_worker()
        run.start_worker()
        # about 30 s of stream: still flowing when the replica dies after the broker and the worker
        producer = run.produce(day.path, rate=day.distinct / 30)
        run.wait_stored(store, day.distinct // 5, timeout=90)
        kill("kafka-2")
        run.wait_stored(store, day.distinct * 2 // 5, timeout=90)  # progress with one broker down
        run.crash_worker(0)  # and a worker dies too; a new one joins the group
        run.start_worker()
        kill("clickhouse-1")  # the first host of every store URL: the workers must move to clickhouse-2
        # the workers notice while it is down (each reads the store for its gauges every 5 s, besides writing):
        # the driver's own move to alt_hosts ("Error on <host> ping"), the store's move to the next replica
        # ("... failed (...); trying ..." or "... failed or went away; now on ..."), the store's outage
        # ("the store (<host>/db) unreachable for ..."), or a retried batch ("store flush failed")
        deadline, noticed = time.monotonic() + 60, []
        while not noticed and time.monotonic() < deadline:
            noticed = [line for line in run.logs().splitlines() if "flush failed" in line or "127.0.0.1:29001" in line
                       and ("Error on" in line or "failed" in line or "unreachable" in line)]
            time.sleep(1)
        print(f"\n{len(noticed)} failover/retry lines in the worker logs, e.g. {noticed[:2]}")
        assert noticed, "clickhouse-1 died under the workers, yet no worker noticed"
        assert producer.wait(timeout=120) == 0, producer.stderr.read() if producer.stderr else ""
        restarted = cckpi("stack", "up", "--cluster")
        assert restarted.returncode == 0, restarted.stdout + restarted.stderr
        started = sorted(line.split(":")[0] for line in restarted.stdout.splitlines() if ": started" in line)
        assert started == ["clickhouse-1", "kafka-2"], restarted.stdout  # only what was down
        run.wait_stored(store, day.distinct, timeout=150)
        assert run.stored(store) == day.distinct  # every event once: nothing lost, nothing doubled
        same_as(day, store, timeout=30)
        # each replica alone, after it caught up, gives the same report
        for host in cluster.clickhouse:
            alone = Store.open(cluster.store_url("cckpi_admin", run.db, host=host), migrate_schema=False)
            try:
                same_as(day, alone, timeout=60)
            finally:
                alone.close()
    finally:
        run.stop()
        store.close()
        drop_everywhere(cluster, run.db)


