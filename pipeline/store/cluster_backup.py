"""Backups of a replicated ClickHouse store: frozen parts, once per shard, attached again on one replica.

On a cluster every replica of a shard holds the same data, so reading the
store table by table through one connection (``backup.py``'s row files)
would either read one shard (of several) or send every row over the
network.  Here each shard is backed up once: on one replica that answers,
``ALTER TABLE ... FREEZE`` hard-links the table's active parts into the
server's ``shadow/`` folder (a consistent cut of that table while the
workers write), and the parts are copied from there into the backup.  The
restore copies them into the table's ``detached/`` folder on one replica of
each shard and runs ``ATTACH PARTITION ID``; the replicated table then tells
its other replicas, which fetch the parts themselves, and each replica is
checked to hold the backup's rows.  ``Distributed``
tables hold no data and are not backed up: the migrations make them again.

The parts are read and written where the server keeps them
(``system.tables.data_path``), so these functions run on a machine that sees
each chosen replica's data folder: the local cluster, or a replica's own
host (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from pathlib import Path
from typing import Any

import msgspec

from pipeline.store.clickhouse_engine import ClickhouseEngine, server_message
from pipeline.store.engines import StoreError, literal

log = logging.getLogger("cckpi.store")
REPLICATION_WAIT_S = 120.0  # how long a replica may take to fetch the attached parts


class PartsEntry(msgspec.Struct):
    folder: str  # relative to the backup: one folder per part inside it
    rows: int
    sha256: str  # over every part's files, by relative path
    parts: list[str] = []


class ShardEntry(msgspec.Struct):
    shard: int
    replica: str  # host:port the parts were frozen on
    tables: dict[str, PartsEntry]  # the shard's own tables (``t``, or ``t_local`` with several shards)


def freeze_shards(engine: ClickhouseEngine, folder: Path, label: str) -> list[ShardEntry]:
    """Every replicated table of each shard, frozen on one replica of it and copied into ``folder``/shard-N."""
    shards = []
    for shard, replicas in replicas_by_shard(engine).items():
        client, where = _first_answering(engine, replicas, shard)
        try:
            tables = {}
            for table in _replicated_tables(client, engine.database):
                target = folder / f"shard-{shard}" / table
                tables[table] = _freeze(client, engine.database, table, target,
                                        f"{label}/shard-{shard}/{table}")
            shards.append(ShardEntry(shard, where, tables))
        finally:
            client.disconnect()
    return shards


def attach_shards(engine: ClickhouseEngine, directory: Path, shards: list[ShardEntry]) -> None:
    """Each shard's parts attached on one replica of it, then every replica of it checked to hold them.

    Merges of the restored tables are stopped on the shard's replicas until
    every replica holds the backup's rows: a ReplacingMergeTree merge drops
    replaced rows, so the raw row count the manifest noted is only there to
    compare before the parts merge.  The tables were just made, empty, so no
    merge was pending.
    """
    layout = check_layout(engine, shards)
    for entry in shards:
        servers = [(f"{host}:{port}", engine.server_client(host, port)) for host, port in layout[entry.shard]]
        stopped: list[tuple[Any, str]] = []
        try:
            for where, client in servers:
                try:
                    client.execute("SELECT 1")
                except Exception as exc:  # noqa: BLE001 - said in one line, with the fix
                    raise StoreError(f"replica {where} of shard {entry.shard} does not answer "
                                     f"({server_message(exc)[:120]}): a restore fills and checks every replica; "
                                     f"start it (`cckpi stack up --cluster` locally) and restore again") from None
                for table in entry.tables:
                    client.execute(f"SYSTEM STOP MERGES {engine.database}.{table}")
                    stopped.append((client, table))
            for table, item in entry.tables.items():
                _attach(servers[0][1], engine.database, table, directory / item.folder, item)
            for where, client in servers:
                for table, item in entry.tables.items():
                    _wait_rows(client, where, f"{engine.database}.{table}", item.rows)
        finally:
            for client, table in stopped:
                try:
                    client.execute(f"SYSTEM START MERGES {engine.database}.{table}")
                except Exception as exc:  # noqa: BLE001 - said; the server starts them again when it restarts
                    log.warning("could not start merges of %s.%s again: %s", engine.database, table, exc)
            for _, client in servers:
                client.disconnect()


def check_layout(engine: ClickhouseEngine, shards: list[ShardEntry]) -> dict[int, list[tuple[str, int]]]:
    """The cluster's layout, when its shards are the backup's (a shard's parts belong to that shard alone)."""
    layout = replicas_by_shard(engine)
    if sorted(layout) != sorted(entry.shard for entry in shards):
        raise StoreError(f"the backup has {len(shards)} shard(s) and cluster {engine.cluster!r} has {len(layout)}: "
                         f"restore it into a cluster of the same layout (CCKPI_STACK__CLUSTER__CLICKHOUSE_SHARDS)")
    return layout


def replicas_by_shard(engine: ClickhouseEngine) -> dict[int, list[tuple[str, int]]]:
    """The cluster's servers (``system.clusters``), shard number -> its replicas in replica order."""
    found = engine.query(f"SELECT shard_num, host_address, port FROM system.clusters WHERE cluster = "
                         f"{literal(engine.cluster)} ORDER BY shard_num, replica_num")
    layout: dict[int, list[tuple[str, int]]] = {}
    for shard, host, port in zip(found["shard_num"], found["host_address"], found["port"]):
        layout.setdefault(int(shard), []).append((str(host), int(port)))
    return layout


def _first_answering(engine: ClickhouseEngine, replicas: list[tuple[str, int]], shard: int) -> tuple[Any, str]:
    errors = []
    for host, port in replicas:
        try:
            client = engine.server_client(host, port)
            client.execute("SELECT 1")
            return client, f"{host}:{port}"
        except Exception as exc:  # noqa: BLE001 - the next replica of the shard may answer
            errors.append(f"{host}:{port}: {server_message(exc)[:120]}")
    raise StoreError(f"no replica of shard {shard} answers ({'; '.join(errors)}): start one "
                     f"(`cckpi stack up --cluster` locally)")


def _replicated_tables(client: Any, database: str) -> list[str]:
    """The tables holding the shard's data: replicated ones (``t``, or ``t_local`` with several shards), never
    the migrations table (a restore rebuilds it at the backup's version)."""
    rows = client.execute(f"SELECT name FROM system.tables WHERE database = {literal(database)} "
                          f"AND engine LIKE 'Replicated%' AND name NOT IN ('schema_migrations', 'schema_migrations_local') "
                          f"ORDER BY name")
    return [name for (name,) in rows]


def _data_path(client: Any, database: str, table: str) -> Path:
    rows = client.execute(f"SELECT data_path FROM system.tables WHERE database = {literal(database)} "
                          f"AND name = {literal(table)}")
    if not rows or not rows[0][0]:
        raise StoreError(f"{database}.{table} has no data folder on this replica: run `cckpi store migrate` first")
    path = Path(rows[0][0])
    if not path.is_dir():
        raise StoreError(f"the data folder of {database}.{table}, {path}, is not on this machine: run the backup "
                         f"on the replica's host (the parts are copied from its disk)")
    return path


def _freeze(client: Any, database: str, table: str, target: Path, relative: str) -> PartsEntry:
    """FREEZE hard-links the active parts into shadow/N/data/db/table; they are copied, then the links removed."""
    data = _data_path(client, database, table)
    shadow = data.parents[2] / "shadow"  # data_path is <root>/data/<db>/<table>/
    before = set(shadow.iterdir()) if shadow.is_dir() else set()
    client.execute(f"ALTER TABLE {database}.{table} FREEZE")
    made = [path for path in (set(shadow.iterdir()) - before) if (path / "data" / database / table).is_dir()]
    target.mkdir(parents=True)
    parts: list[str] = []
    try:
        for frozen in made:
            for part in sorted((frozen / "data" / database / table).iterdir()):
                shutil.copytree(part, target / part.name)
                parts.append(part.name)
    finally:
        for frozen in made:
            shutil.rmtree(frozen, ignore_errors=True)
    parts.sort()
    return PartsEntry(relative, sum(_part_rows(target / part) for part in parts), parts_sha256(target), parts)


def _part_rows(part: Path) -> int:
    try:
        return int((part / "count.txt").read_text())
    except (OSError, ValueError):
        raise StoreError(f"part {part} has no readable count.txt: this ClickHouse's parts are not of the "
                         f"format the backup reads (tables with PARTITION BY / ORDER BY)") from None


def parts_sha256(folder: Path) -> str:
    """One digest over every file under ``folder``, its relative path included: a renamed file changes it."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _attach(client: Any, database: str, table: str, source: Path, item: PartsEntry) -> None:
    detached = _data_path(client, database, table) / "detached"
    detached.mkdir(exist_ok=True)
    partitions = []
    for part in item.parts:
        shutil.copytree(source / part, detached / part)
        partition = part.rsplit("_", 3)[0]  # <partition id>_<min block>_<max block>_<level>
        if partition not in partitions:
            partitions.append(partition)
    for partition in partitions:
        client.execute(f"ALTER TABLE {database}.{table} ATTACH PARTITION ID {literal(partition)}")


def _wait_rows(client: Any, where: str, table: str, rows: int, timeout_s: float = REPLICATION_WAIT_S) -> None:
    """The replica holds ``rows`` rows of ``table``: attached there, or fetched from the replica that attached."""
    deadline = time.monotonic() + timeout_s
    while (count := client.execute(f"SELECT count() FROM {table}")[0][0]) != rows and time.monotonic() < deadline:
        time.sleep(0.5)
    if count != rows:
        raise StoreError(f"replica {where} holds {count} rows of {table} after the restore, the backup {rows}: "
                         f"check its replication (system.replication_queue) and restore again with --replace")
