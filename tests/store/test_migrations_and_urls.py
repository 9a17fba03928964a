"""Store plumbing: URLs, numbered migrations applied once, literals both engines read alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.store.engines import StoreError, literal

from pipeline.store.store_url import parse_url
from pipeline.store.migrations import PARTS, load, migrate
from pipeline.store.store import Store
from tests.fixtures.stores import ENGINES, fresh_url


def test_urls_of_both_engines():
    embedded = parse_url("chdb:///var/lib/cckpi?database=test_1")
    assert (embedded.scheme, embedded.path, embedded.database) == ("chdb", Path("/var/lib/cckpi"), "test_1")
    server = parse_url("clickhouse://cckpi_writer:p%40ss@127.0.0.1:19000/cckpi")
    assert (server.user, server.password, server.port, server.database) == ("cckpi_writer", "p@ss", 19000, "cckpi")
    for bad in ("mysql://x", "chdb://", "clickhouse://h/bad-name"):
        with pytest.raises(StoreError):
            parse_url(bad)


def test_the_payroll_database_beside_a_cluster_store_keeps_its_replicas_and_cluster():
    from pipeline.payroll.closing import payroll_url
    from pipeline.settings import load_settings

    url = "clickhouse://w:pw@127.0.0.1:29001/cckpi?alt_hosts=127.0.0.1:29002&cluster=cckpi&insert_quorum=2"
    beside = parse_url(payroll_url(load_settings(payroll_store_url=None), url))
    assert (beside.database, beside.user, beside.hosts, beside.cluster, beside.settings) == (
        "cckpi_payroll", "w", [("127.0.0.1", 29001), ("127.0.0.1", 29002)], "cckpi", (("insert_quorum", 2),))


def test_migrations_are_numbered_rising_and_a_repeat_is_an_error(tmp_path):
    versions = [m.version for m in load()]
    assert versions == sorted(set(versions)) and versions[0] == 1
    (tmp_path / "0001_a.sql").write_text("SELECT 1")
    (tmp_path / "0003_c.sql").write_text("SELECT 1")  # 0002 still reserved by a change not landed yet
    assert [m.version for m in load(tmp_path)] == [1, 3]
    (tmp_path / "0003_d.sql").write_text("SELECT 1")
    with pytest.raises(ValueError, match="distinct"):
        load(tmp_path)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lower_number_landing_after_a_higher_one_is_still_applied(engine: str, chdb_dir: Path, tmp_path: Path):
    """Numbers are reserved per change: 0002 may land after a store ran 0003; it runs then, once."""
    store = Store.open(fresh_url(engine, chdb_dir), migrate_schema=False)
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE IF NOT EXISTS {db}.mig_a (n UInt8) ENGINE = Memory")
    (tmp_path / "0003_c.sql").write_text("CREATE TABLE IF NOT EXISTS {db}.mig_c (n UInt8) ENGINE = Memory")
    assert migrate(store.engine, tmp_path) == 3
    (tmp_path / "0002_b.sql").write_text("CREATE TABLE {db}.mig_b (n UInt8) ENGINE = Memory")  # no IF NOT EXISTS
    assert migrate(store.engine, tmp_path) == 3
    assert migrate(store.engine, tmp_path) == 3  # recorded: not run twice (it would fail)
    tables = store.engine.query(f"SELECT name FROM system.tables WHERE database = '{store.db}' AND name LIKE 'mig_%'")
    assert sorted(tables["name"]) == ["mig_a", "mig_b", "mig_c"]
    store.engine.command(f"DROP DATABASE IF EXISTS {store.db}")
    store.close()


def test_a_statement_naming_part_runs_once_per_part_and_the_parts_cover_every_row(store, tmp_path):
    """A backfill in parts (migration 0006's contact_next): each part once, all of them every row once."""
    (tmp_path / "0001_parts.sql").write_text(
        "CREATE TABLE {db}.parts (n UInt64) ENGINE = MergeTree() ORDER BY n;\n"
        "-- a sixteenth at a time\n"
        "INSERT INTO {db}.parts SELECT number FROM numbers(1000) WHERE number % {parts} = {part}")
    (migration,) = load(tmp_path)
    create, *inserts = migration.statements
    assert inserts == [f"INSERT INTO {{db}}.parts SELECT number FROM numbers(1000) WHERE number % {PARTS} = {k}"
                       for k in range(PARTS)]
    for statement in migration.statements:
        store.engine.command(statement.replace("{db}", store.db))
    counted = store.engine.query(f"SELECT count() AS rows, uniqExact(n) AS distinct FROM {store.db}.parts")
    assert (counted["rows"][0], counted["distinct"][0]) == (1000, 1000)


def test_migrate_applies_each_step_once(store):
    latest = load()[-1].version
    assert migrate(store.engine) == latest  # the fixture migrated already: nothing to do
    rows = store.engine.query(f"SELECT version FROM {store.db}.schema_migrations ORDER BY version")
    assert rows["version"] == [m.version for m in load()]


def test_literals_round_trip(store):
    tricky = "it's a \\ back'slash"
    row = store.engine.query(f"SELECT {literal(tricky)} AS s, {literal([1, 2])} AS a, {literal(None)} AS n")
    assert (row["s"][0], row["a"][0], row["n"][0]) == (tricky, [1, 2], None)
