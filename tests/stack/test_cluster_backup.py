"""Backup and restore on the real cluster (1 shard of 2 replicas): frozen parts, attached on one replica.

Data in (the October of tests/payroll/events.py and its closed payroll
month), a backup (each shard frozen once), both databases dropped on every
replica, a restore (ATTACH PARTITION on one replica): every report, the
payroll history and the closed month's export are byte for byte as before,
through the cluster URL and through each replica read alone, and each
replica holds the backup's rows of every table.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from pipeline.payroll.closing import open_payroll_store
from pipeline.stack.cluster.cluster_info import ClusterInfo
from pipeline.store.store import Store
from pipeline.store.store_url import with_database
from tests.fixtures.stores import ingest
from tests.payroll.events import october
from tests.stack.cluster_run import drop_everywhere, running_cluster
from tests.store.test_backup import Centre

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[ClusterInfo]:
    with running_cluster() as info:
        yield info


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
    """Rows of every table of both databases, on each replica read alone."""
    found = []
    for host in cluster.clickhouse:
        counts = {}
        for url in (centre.url, centre.payroll_url):
            database = url.split("?")[0].rsplit("/", 1)[1]
            alone = Store.open(cluster.store_url("cckpi_admin", database, host=host), migrate_schema=False)
            try:
                names = alone.engine.query(f"SELECT name FROM system.tables WHERE database = '{database}' "
                                           f"AND name != 'schema_migrations' ORDER BY name")["name"]
                for name in names:
                    counts[f"{database}.{name}"] = int(
                        alone.engine.query(f"SELECT count() AS n FROM {database}.{name}")["n"][0])
            finally:
                alone.close()
        found.append(counts)
    return found


def test_a_cluster_restore_gives_every_output_and_equal_replicas(cluster: ClusterInfo, centre: Centre,
                                                                 tmp_path: Path) -> None:
    before = centre.outputs("before")
    assert json.loads(before["history"])[0]["action"] == "close" and before["export"].count(b"\n") > 1
    rows_before = _per_replica_counts(cluster, centre)
    assert rows_before[0] == rows_before[1] and rows_before[0][f"{centre.store.db}.contact_facts"] > 0

    folder = tmp_path / "backup"
    made = centre.cli("store", "backup", str(folder), "--store", centre.url, "--no-kafka-offsets")
    assert made.exit_code == 0, made.output
    assert "1 shard(s) frozen on 127.0.0.1:" in made.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["dump_format"] == "parts" and manifest["cluster"] == cluster.cluster
    events = manifest["databases"]["events"]
    assert events["tables"] == {} and [s["shard"] for s in events["shards"]] == [1]
    facts = events["shards"][0]["tables"]["contact_facts"]
    # the rows frozen are the raw rows the replica held: the same count a replica alone gives
    assert facts["rows"] == rows_before[0][f"{centre.store.db}.contact_facts"] and len(facts["sha256"]) == 64
    assert (folder / facts["folder"] / facts["parts"][0] / "count.txt").is_file()
    assert {"payroll_closes", "payroll_audit", "payroll_rows"} <= set(
        manifest["databases"]["payroll"]["shards"][0]["tables"])
    assert "schema_migrations" not in events["shards"][0]["tables"]

    # a backup of another layout is refused before anything is touched
    other = tmp_path / "two-shards"
    other.mkdir()
    for name in ("events", "payroll"):
        (other / name).symlink_to(folder / name)
    two = dict(manifest)
    two["databases"] = {**manifest["databases"], "events": {**events, "shards": [
        events["shards"][0], {**events["shards"][0], "shard": 2}]}}
    (other / "manifest.json").write_bytes(msgspec.json.encode(two))
    refused = centre.cli("store", "restore", str(other), "--store", centre.url, "--replace", "--no-kafka-offsets")
    assert refused.exit_code == 1 and "the backup has 2 shard(s) and cluster 'cckpi' has 1" in refused.output

    centre.store.drop()
    open_payroll_store(centre.payroll_url).drop()
    restored = centre.cli("store", "restore", str(folder), "--store", centre.url, "--no-kafka-offsets")
    assert restored.exit_code == 0, restored.output
    assert centre.outputs("after") == before
    assert _per_replica_counts(cluster, centre) == rows_before  # replication carried the parts to the other
    for host in cluster.clickhouse:
        url, payroll_url = (cluster.store_url("cckpi_admin", u.split("?")[0].rsplit("/", 1)[1], host=host)
                            for u in (centre.url, centre.payroll_url))
        (tmp_path / f"alone-{host[1]}").mkdir()
        alone = Centre(centre.store, url, payroll_url, tmp_path / f"alone-{host[1]}")
        assert alone.outputs("alone") == before, f"replica {host} alone"
