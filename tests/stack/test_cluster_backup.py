"""Backup and restore on the real cluster (1 shard of 2 replicas; 2 shards of 1): frozen parts, attached again.

And a backup taken while two workers write, restored into the dropped
store: the workers' restart from the offsets the backup noted loses nothing
and doubles nothing (the reports of a single-node replay of the day).

Data in (the October of tests/payroll/events.py and its closed payroll
month), a backup (each shard frozen once), both databases dropped on every
replica, a restore (ATTACH PARTITION on one replica): every report, the
payroll history and the closed month's export are byte for byte as before,
through the cluster URL and, with one shard, through each replica read
alone; each replica holds the backup's rows of every table.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import msgspec
import pytest

from pipeline.kafka.offsets import committed
from pipeline.payroll.closing import open_payroll_store
from pipeline.settings import load_settings
from pipeline.stack.cluster.cluster_info import ClusterInfo
from pipeline.store.store import Store
from pipeline.store.store_url import with_database
from tests.fixtures.stores import ingest
from tests.payroll.events import october
from tests.stack.cluster_run import (Day, Run, cckpi, drop_everywhere, make_day, running_cluster,
                                     running_sharded_cluster, same_as)
from tests.store.test_backup import Centre
from tests.worker.conftest import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module", params=["1x2", "2x1"])
def cluster(request: pytest.FixtureRequest) -> Iterator[ClusterInfo]:
    """The default cluster (1 shard of 2 replicas), then test_cluster_shards.py's (2 shards of 1 replica)."""
    if request.param == "1x2":
        with running_cluster() as info:
            yield info
        return
    with running_sharded_cluster() as info:
        yield info


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory, chdb_dir: Path) -> Day:
    """800 simulated contacts (about 7,500 events with 5 % repeats) and their single-node replay."""
    return make_day(tmp_path_factory.mktemp("backup-day"), chdb_dir, contacts=800)


@pytest.fixture
def centre(cluster: ClusterInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Centre]:
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")
    monkeypatch.setenv("CCKPI_LANG", "en")
    monkeypatch.setenv("CCKPI_PAYROLL__CLOSE_GRACE_DAYS", "0")
    admin = cluster.env()["CCKPI_ADMIN_STORE_URL"]
    suffix = uuid.uuid4().hex[:10]
    url, payroll_url = with_database(admin, f"cb_{suffix}"), with_database(admin, f"cbp_{suffix}")
    monkeypatch.setenv("CCKPI_PAYROLL_STORE_URL", payroll_url)
    store = Store.open(url)
    try:
        ingest(store, october())
        made = Centre(store, url, payroll_url, tmp_path)
        closed = made.payroll("close", "--by", "alice")
        assert closed.exit_code == 0, closed.output
        yield made
    finally:
        store.close()
        drop_everywhere(cluster, f"cb_{suffix}")
        drop_everywhere(cluster, f"cbp_{suffix}")


def _per_replica_counts(cluster: ClusterInfo, centre: Centre) -> list[dict[str, int]]:
    """Rows of every table of both databases on each server read alone, once every part is merged.

    A raw row count moves when a ReplacingMergeTree merge drops replaced rows,
    whenever that happens; ``OPTIMIZE ... FINAL`` merges every partition
    now (every replica then holds the same merged parts) and makes the count
    a function of the data alone.
    """
    databases = [url.split("?")[0].rsplit("/", 1)[1] for url in (centre.url, centre.payroll_url)]
    servers = [Store.open(cluster.store_url("cckpi_admin", databases[0], host=host), migrate_schema=False)
               for host in cluster.clickhouse]
    try:
        tables = {server: [(db, name) for db in databases for name in server.engine.query(
            f"SELECT name FROM system.tables WHERE database = '{db}' AND engine LIKE 'Replicated%' "
            f"AND name NOT LIKE 'schema_migrations%' ORDER BY name")["name"]] for server in servers}
        for server, (host, port) in zip(servers, cluster.clickhouse):
            client = server.engine.server_client(host, port)  # type: ignore[attr-defined]
            try:
                # on each table's leader replica: 18.16 forwards it from another replica as a user without
                # password (code 194); not waiting for the other replicas, since 18.16 fails that wait
                # ("Unknown log entry type: 0") when there was nothing to merge: SYNC REPLICA below waits
                leading = client.execute(f"SELECT database, table FROM system.replicas WHERE is_leader "
                                         f"AND database IN ('{databases[0]}', '{databases[1]}')")
                for db, name in leading:
                    if not name.startswith("schema_migrations"):
                        client.execute(f"OPTIMIZE TABLE {db}.{name} FINAL",
                                       settings={"replication_alter_partitions_sync": 0})
            finally:
                client.disconnect()
        for server in servers:
            for db, name in tables[server]:
                server.engine.command(f"SYSTEM SYNC REPLICA {db}.{name}")
        return [{f"{db}.{name}": int(server.engine.query(f"SELECT count() AS n FROM {db}.{name}")["n"][0])
                 for db, name in tables[server]} for server in servers]
    finally:
        for server in servers:
            server.close()


def test_a_cluster_restore_gives_every_output_and_equal_replicas(cluster: ClusterInfo, centre: Centre,
                                                                 tmp_path: Path) -> None:
    shards = centre.store.engine.shards
    per_shard = len(cluster.clickhouse) // shards
    local = "contact_facts" if shards == 1 else "contact_facts_local"
    before = centre.outputs("before")
    assert json.loads(before["history"])[0]["action"] == "close" and before["export"].count(b"\n") > 1
    rows_before = _per_replica_counts(cluster, centre)
    by_shard = [rows_before[i * per_shard:(i + 1) * per_shard] for i in range(shards)]
    assert all(counts == replicas[0] for replicas in by_shard for counts in replicas)  # replicas of a shard agree
    assert all(replicas[0][f"{centre.store.db}.{local}"] > 0 for replicas in by_shard)  # each shard holds facts

    folder = tmp_path / "backup"
    made = centre.cli("store", "backup", str(folder), "--store", centre.url, "--no-kafka-offsets")
    assert made.exit_code == 0, made.output
    assert f"{shards} shard(s) frozen on 127.0.0.1:" in made.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["dump_format"] == "parts" and manifest["cluster"] == cluster.cluster
    events = manifest["databases"]["events"]
    assert events["tables"] == {} and [s["shard"] for s in events["shards"]] == list(range(1, shards + 1))
    for number, shard in enumerate(events["shards"]):
        facts = shard["tables"][local]
        # the rows frozen are the raw rows the shard's replicas hold
        assert facts["rows"] == by_shard[number][0][f"{centre.store.db}.{local}"] and len(facts["sha256"]) == 64
        assert (folder / facts["folder"] / facts["parts"][0] / "count.txt").is_file()
        assert not {"schema_migrations", "schema_migrations_local"} & set(shard["tables"])  # the restore rebuilds it
        if shards > 1:
            assert "contact_facts" not in shard["tables"]  # the Distributed table holds no data
    assert {"payroll_closes", "payroll_audit", "payroll_rows"} <= {
        table.removesuffix("_local") for table in manifest["databases"]["payroll"]["shards"][0]["tables"]}

    # a damaged part and a backup of another layout are refused before anything is touched
    damaged_file = sorted((folder / events["shards"][0]["tables"][local]["folder"]).rglob("*.bin"))[0]
    original = damaged_file.read_bytes()
    damaged_file.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    damaged = centre.cli("store", "restore", str(folder), "--store", centre.url, "--replace", "--no-kafka-offsets")
    assert damaged.exit_code == 1, damaged.output
    assert f"does not match the manifest's checksum (table {centre.store.db}.{local}, shard 1)" in damaged.output
    damaged_file.write_bytes(original)
    other = tmp_path / "other-layout"
    other.mkdir()
    for name in ("events", "payroll"):
        (other / name).symlink_to(folder / name)
    extra = {**events["shards"][0], "shard": shards + 1}
    (other / "manifest.json").write_bytes(msgspec.json.encode(
        {**manifest, "databases": {**manifest["databases"], "events": {**events, "shards": [*events["shards"],
                                                                                             extra]}}}))
    refused = centre.cli("store", "restore", str(other), "--store", centre.url, "--replace", "--no-kafka-offsets")
    assert refused.exit_code == 1, refused.output
    assert f"the backup has {shards + 1} shard(s) and cluster 'cckpi' has {shards}" in refused.output

    centre.store.drop()
    open_payroll_store(centre.payroll_url).drop()
    restored = centre.cli("store", "restore", str(folder), "--store", centre.url, "--no-kafka-offsets")
    assert restored.exit_code == 0, restored.output
    assert centre.outputs("after") == before
    assert _per_replica_counts(cluster, centre) == rows_before  # replication carried the parts to every replica
    if shards > 1:
        return  # one server of several shards alone still reads every shard through the Distributed tables
    for host in cluster.clickhouse:
        url, payroll_url = (cluster.store_url("cckpi_admin", u.split("?")[0].rsplit("/", 1)[1], host=host)
                            for u in (centre.url, centre.payroll_url))
        (tmp_path / f"alone-{host[1]}").mkdir()
        alone = Centre(centre.store, url, payroll_url, tmp_path / f"alone-{host[1]}")
        assert alone.outputs("alone") == before, f"replica {host} alone"


def _committed(env: dict[str, str]) -> int:
    """Messages the worker group has committed on the events topic, over every partition."""
    with mock.patch.dict(os.environ, env):
        return sum(committed(load_settings()).values())


def test_a_backup_while_workers_write_restores_to_the_numbers_of_the_whole_day(cluster: ClusterInfo, day: Day,
                                                                               tmp_path: Path) -> None:
    run = Run(cluster, tmp_path)
    payroll_db = f"p{run.db}"
    env = {**run.env(), "CCKPI_PAYROLL_STORE_URL": with_database(run.url, payroll_db)}
    store = Store.open(run.url)
    try:
        run.start_worker()
        run.start_worker()
        producer = run.produce(day.path, rate=day.distinct / 20)  # about 20 s of traffic
        run.wait_stored(store, day.distinct // 5, timeout=90)
        # stored is not yet committed: the commit waits for the batch's rebuild, which a loaded machine
        # holds back for seconds; a backup before any commit notes every partition from its beginning
        eventually(lambda: _committed(env) > 0, 90, "the workers' first commit")
        with mock.patch.dict(os.environ, env):
            made = cckpi("store", "backup", str(tmp_path / "backup"))
        assert made.returncode == 0, made.stdout + made.stderr
        assert producer.wait(timeout=120) == 0
        run.wait_stored(store, day.distinct, timeout=120)  # the workers went on meanwhile
        run.stop()
        run.workers.clear()  # stopped on purpose (SIGTERM: each committed the batch it held)
        manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
        noted, sent = sum(manifest["kafka_offsets"].values()), len(day.path.read_bytes().splitlines())
        assert 0 < noted < sent, f"the backup did not land mid-stream ({noted} of {sent})"

        store.drop()
        with mock.patch.dict(os.environ, env):
            restored = cckpi("store", "restore", str(tmp_path / "backup"))
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "set back to the backup's offsets" in restored.stdout
        assert run.stored(store) < day.distinct  # the restored store lacks what came later ...
        run.start_worker()  # ... which the worker reads again from the noted offsets
        run.wait_stored(store, day.distinct, timeout=120)
        assert run.stored(store) == day.distinct
        same_as(day, store, timeout=30)
        for host in cluster.clickhouse:  # every replica (or shard's server) alone agrees
            alone = Store.open(cluster.store_url("cckpi_admin", run.db, host=host), migrate_schema=False)
            try:
                assert run.stored(alone) == day.distinct
            finally:
                alone.close()
    finally:
        run.stop()
        store.close()
        drop_everywhere(cluster, run.db)
        drop_everywhere(cluster, payroll_db)
