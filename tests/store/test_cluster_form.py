"""The cluster form of the numbered migrations, and store URLs with several hosts (no server needed)."""

from __future__ import annotations

import pytest

from pipeline.store.cluster_sql import cluster_form, cluster_statements, distributed_alter
from pipeline.store.engines import StoreError
from pipeline.store.store_url import parse_url, with_database
from pipeline.store.migrations import PAYROLL_MIGRATIONS, load


def test_replacing_merge_tree_becomes_replicated_on_cluster() -> None:
    sql = ("CREATE TABLE IF NOT EXISTS w.contact_facts\n(\n    contact_id String,\n    version UInt64\n)\n"
           "ENGINE = ReplacingMergeTree(version)\nORDER BY contact_id")
    assert cluster_form(sql, "cckpi") == (
        "CREATE TABLE IF NOT EXISTS w.contact_facts ON CLUSTER cckpi\n(\n    contact_id String,\n"
        "    version UInt64\n)\nENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/w.contact_facts', "
        "'{replica}', version)\nORDER BY contact_id")


@pytest.mark.parametrize(("engine", "replicated"), [
    ("ReplacingMergeTree()", "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/d.t', '{replica}')"),
    ("MergeTree()", "ReplicatedMergeTree('/clickhouse/tables/{shard}/d.t', '{replica}')"),
    ("SummingMergeTree((a, b))", "ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/d.t', '{replica}', (a, b)"),
    ("AggregatingMergeTree()", "ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/d.t', '{replica}')"),
])
def test_each_merge_tree_kind(engine: str, replicated: str) -> None:
    out = cluster_form(f"CREATE TABLE d.t (a UInt8, b UInt8) ENGINE = {engine} ORDER BY a", "c1")
    assert out.startswith("CREATE TABLE d.t ON CLUSTER c1 (a UInt8")
    assert f"ENGINE = {replicated}" in out


def test_other_statements_and_single_node_are_unchanged() -> None:
    assert cluster_form("CREATE DATABASE IF NOT EXISTS w", "c") == "CREATE DATABASE IF NOT EXISTS w ON CLUSTER c"
    assert cluster_form("DROP TABLE IF EXISTS w.t", "c") == "DROP TABLE IF EXISTS w.t ON CLUSTER c"
    # a replicated table passes inserts and ALTERs to its replicas itself
    insert = "INSERT INTO w.contact_offers (offered_ms, contact_id) SELECT offered_ms, contact_id FROM w.contact_facts"
    assert cluster_form(insert, "c") == insert
    assert cluster_form("ALTER TABLE w.t DELETE WHERE 1", "c") == "ALTER TABLE w.t DELETE WHERE 1"
    sql = "CREATE TABLE IF NOT EXISTS w.t (a UInt8) ENGINE = ReplacingMergeTree() ORDER BY a"
    assert cluster_form(sql, None) == sql


@pytest.mark.parametrize("directory", [None, PAYROLL_MIGRATIONS])
def test_every_table_of_every_migration_gets_a_replicated_engine(directory) -> None:
    migrations = load() if directory is None else load(directory)
    creates = [s.replace("{db}", "w") for m in migrations for s in m.statements if s.lstrip().startswith("CREATE")]
    assert creates
    for statement in creates:
        out = cluster_form(statement, "cckpi")
        assert " ON CLUSTER cckpi" in out
        if "ENGINE" in statement:
            assert "ENGINE = Replicated" in out and "'{replica}'" in out, out


def test_url_with_several_hosts_cluster_and_settings() -> None:
    url = parse_url("clickhouse://u:p@127.0.0.1:29001/cckpi?alt_hosts=127.0.0.1:29002,h3:29003"
                    "&cluster=cckpi&insert_quorum=2&load_balancing=in_order")
    assert url.hosts == [("127.0.0.1", 29001), ("127.0.0.1", 29002), ("h3", 29003)]
    assert url.cluster == "cckpi"
    assert dict(url.settings) == {"insert_quorum": 2, "load_balancing": "in_order"}
    assert parse_url("clickhouse://u:p@h:9000/db").hosts == [("h", 9000)]
    with pytest.raises(StoreError, match="alt_hosts"):
        parse_url("clickhouse://u:p@h:9000/db?alt_hosts=nohostport")
    with pytest.raises(StoreError, match="letters"):
        parse_url("clickhouse://u:p@h:9000/db?cluster=bad-name")


def test_with_database_keeps_hosts_and_parameters() -> None:
    url = "clickhouse://u:p%40s@127.0.0.1:29001/cckpi?alt_hosts=127.0.0.1:29002&cluster=c"
    assert with_database(url, "t_1") == "clickhouse://u:p%40s@127.0.0.1:29001/t_1?alt_hosts=127.0.0.1:29002&cluster=c"
    assert parse_url(with_database("chdb:///data/x?database=a", "b")).database == "b"


def test_which_failures_move_a_statement_to_another_replica() -> None:
    from clickhouse_driver.errors import NetworkError, ServerException

    from pipeline.store.clickhouse_engine import _replica_problem

    # the replica is gone, lost ZooKeeper, or could not reach the quorum: another replica may succeed
    assert _replica_problem(NetworkError("connection refused"))
    assert _replica_problem(EOFError("Unexpected EOF while reading bytes"))
    for code in (242, 285, 286, 999):
        assert _replica_problem(ServerException("replica trouble", code=code))
    # a wrong statement or a missing table fails the same everywhere: no retry
    for code in (47, 60, 62, 81):
        assert not _replica_problem(ServerException("bad statement", code=code))
    assert not _replica_problem(ValueError("a bug"))


def test_several_shards_get_local_tables_and_a_distributed_table_over_them() -> None:
    sql = ("CREATE TABLE IF NOT EXISTS w.contact_offers\n(\n    offered_ms Int64,\n"
           "    offered_at DateTime('UTC') MATERIALIZED toDateTime(intDiv(offered_ms, 1000)),\n    contact_id String\n)\n"
           "ENGINE = ReplacingMergeTree()\nPARTITION BY toYYYYMM(offered_at)\nORDER BY (offered_ms, contact_id)")
    local, distributed = cluster_statements(sql, "c", shards=2)
    assert local.startswith("CREATE TABLE IF NOT EXISTS w.contact_offers_local ON CLUSTER c\n(")
    assert "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/w.contact_offers_local', '{replica}')" in local
    assert "MATERIALIZED" in local and "ORDER BY (offered_ms, contact_id)" in local
    # 18.16 passes a Distributed table's MATERIALIZED column on to the shards, which refuse it: ALIAS there
    assert distributed == (
        "CREATE TABLE IF NOT EXISTS w.contact_offers ON CLUSTER c (\n    offered_ms Int64,\n"
        "    offered_at DateTime('UTC') ALIAS toDateTime(intDiv(offered_ms, 1000)),\n    contact_id String\n) "
        "ENGINE = Distributed(c, w, contact_offers_local, cityHash64(offered_ms, contact_id))")
    # one shard, no cluster, or a statement that is not a table: as before
    assert cluster_statements(sql, "c", shards=1) == [cluster_form(sql, "c")]
    assert cluster_statements(sql, None, shards=2) == [sql]
    insert = "INSERT INTO w.contact_offers SELECT offered_ms, contact_id FROM w.contact_facts"
    assert cluster_statements(insert, "c", shards=2) == [insert]
    assert cluster_statements("CREATE DATABASE IF NOT EXISTS w", "c", 2) == ["CREATE DATABASE IF NOT EXISTS w ON CLUSTER c"]


def test_an_alter_changes_the_local_and_the_distributed_table_of_a_sharded_store() -> None:
    sql = "ALTER TABLE w.contact_facts ADD COLUMN time_conflict UInt8 DEFAULT 0 AFTER nps"
    assert cluster_statements(sql, "c", shards=2) == [
        "ALTER TABLE w.contact_facts_local ON CLUSTER c ADD COLUMN time_conflict UInt8 DEFAULT 0 AFTER nps"]
    # the Distributed table: server by server (18.16 refuses ON CLUSTER for a table that is not replicated)
    assert distributed_alter(sql, "c", shards=2) == sql
    # one shard: the replicated table passes the ALTER on itself; no cluster: as written
    assert cluster_statements(sql, "c", shards=1) == [sql] and distributed_alter(sql, "c", shards=1) is None
    assert cluster_statements(sql, None, shards=2) == [sql] and distributed_alter(sql, None, shards=2) is None
