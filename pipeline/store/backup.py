"""Backups of the store: the events database and the payroll database, table by table, with a manifest.

Each table is read by one query (``Engine.dump``), which sees the parts that
existed when it began: a consistent cut of that table while the worker keeps
writing.  Tables are not cut at one instant together; what makes a restore
whole is Kafka: the backup first notes the worker group's committed offsets
(every message before them was stored before any table was read, since the
worker commits only after the store returned), and a restore sets the group
back to them, so the worker reads again whatever came later.  Writes are
idempotent, so what the cut already held is not doubled.

The manifest (``manifest.json``, written last: a folder without one is an
unfinished backup) names each table's file, rows and SHA-256, each database's
migration version, the time and the offsets.  A restore checks every file
before it touches the store, refuses a backup from a newer schema, and
refuses a store that holds data unless told to replace it; it loads the
tables into the backup's own schema version, checks the row counts, then
migrates to this version.

A replicated ClickHouse store (the store URL's ``cluster=``) is backed up
as frozen parts instead, once per shard (``cluster_backup``): the manifest's
``dump_format`` is then ``parts`` and each database lists its ``shards``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from importlib.resources.abc import Traversable
from pathlib import Path

import msgspec

from pipeline.store.cluster_backup import ShardEntry, attach_shards, check_layout, freeze_shards, parts_sha256
from pipeline.store.cluster_sql import cluster_form
from pipeline.store.engines import Engine, StoreError, literal
from pipeline.store.migrations import PAYROLL_MIGRATIONS, WALLBOARD_MIGRATIONS, applied_versions, is_missing_table, load
from pipeline.store.migrations import migrate

MANIFEST = "manifest.json"
FORMAT = 1
SCHEMAS: dict[str, Traversable] = {"events": WALLBOARD_MIGRATIONS, "payroll": PAYROLL_MIGRATIONS}


class BackupError(Exception):
    """A backup or restore that must not go on; the message says why and what to do."""


class TableEntry(msgspec.Struct):
    file: str
    rows: int
    sha256: str


class DatabaseEntry(msgspec.Struct):
    name: str
    migration_version: int  # the highest applied
    tables: dict[str, TableEntry]  # row files (chDB, one server); empty for a cluster's parts
    migrations: list[int] = []  # every applied version (numbers may land out of order)
    shards: list[ShardEntry] = []  # a cluster's frozen parts, shard by shard

    def counts(self) -> tuple[int, int]:
        """(tables, rows) of this database's backup, over every shard."""
        if self.shards:
            rows = sum(item.rows for shard in self.shards for item in shard.tables.values())
            return len({table for shard in self.shards for table in shard.tables}), rows
        return len(self.tables), sum(item.rows for item in self.tables.values())


class Manifest(msgspec.Struct):
    format: int
    created_at: str
    dump_format: str
    databases: dict[str, DatabaseEntry]  # "events", "payroll"
    kafka_offsets: dict[str, int] | None = None  # "topic:partition" -> the worker group's next offset
    cluster: str | None = None  # the ClickHouse cluster of a ``parts`` backup


def backup(engines: Mapping[str, Engine], directory: Path, kafka_offsets: dict[str, int] | None = None) -> Manifest:
    """Dump every table of each database (``engines``: "events"/"payroll" -> engine) into ``directory``."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new folder (one folder per backup)")
    formats = {engine.dump_format for engine in engines.values()}
    if len(formats) != 1:
        raise BackupError("the events and payroll stores are on different engines; back them up one by one")
    databases = {}
    for part, engine in engines.items():
        try:
            versions = sorted(applied_versions(engine))
        except Exception as exc:
            if not is_missing_table(exc):
                raise
            if part != "events":
                continue  # a centre that never closed a payroll month has no payroll database yet
            raise BackupError(f"the {part} store {engine.database!r} has no tables yet: nothing to back up "
                              f"(`cckpi store migrate` makes them)") from None
        folder = directory / part
        folder.mkdir(parents=True, exist_ok=True)
        tables, shards = {}, []
        if engine.dump_format == "parts":
            shards = freeze_shards(engine, folder, part)  # type: ignore[arg-type]
        else:
            for table in _tables(engine):
                path = folder / f"{table}.{engine.dump_format}"
                rows = engine.dump(table, path)
                tables[table] = TableEntry(f"{part}/{path.name}", rows, _sha256(path))
        databases[part] = DatabaseEntry(engine.database, max(versions, default=0), tables, versions, shards)
    clusters = {engine.cluster for engine in engines.values()}
    manifest = Manifest(FORMAT, datetime.now(timezone.utc).isoformat(timespec="seconds"), formats.pop(), databases,
                        kafka_offsets, clusters.pop() if len(clusters) == 1 else None)
    unfinished = directory / f".{MANIFEST}.partial"
    unfinished.write_bytes(msgspec.json.format(msgspec.json.encode(manifest)) + b"\n")
    os.replace(unfinished, directory / MANIFEST)
    return manifest


def verify(directory: Path) -> Manifest:
    """The backup's manifest, after checking that every file it names is there with its checksum."""
    try:
        manifest = msgspec.json.decode((directory / MANIFEST).read_bytes(), type=Manifest)
    except FileNotFoundError:
        raise BackupError(f"{directory} has no {MANIFEST}: not a backup, or one that did not finish") from None
    except msgspec.DecodeError as exc:
        raise BackupError(f"{directory / MANIFEST} is damaged ({exc}); use another backup") from None
    if manifest.format != FORMAT:
        raise BackupError(f"{directory} is a backup of format {manifest.format}; this cckpi reads format {FORMAT}")
    for entry in manifest.databases.values():
        for table, item in entry.tables.items():
            path = directory / item.file
            if not path.is_file() or _sha256(path) != item.sha256:
                raise BackupError(f"{path} does not match the manifest's checksum (table {entry.name}.{table}): "
                                  f"the backup is damaged; use another backup")
        for shard in entry.shards:
            for table, parts in shard.tables.items():
                folder = directory / parts.folder
                if not folder.is_dir() or parts_sha256(folder) != parts.sha256:
                    raise BackupError(f"{folder} does not match the manifest's checksum (table {entry.name}.{table}, "
                                      f"shard {shard.shard}): the backup is damaged; use another backup")
    return manifest


def restore(engines: Mapping[str, Engine], directory: Path, replace: bool = False) -> Manifest:
    """Load a verified backup into the stores; refuses before changing anything when it must."""
    manifest = verify(directory)
    for part, entry in manifest.databases.items():
        known = {m.version for m in load(SCHEMAS[part])}
        unknown = sorted({entry.migration_version, *entry.migrations} - known)
        if unknown:
            raise BackupError(f"the backup's {part} schema has migration {unknown[-1]}, which this cckpi lacks "
                              f"(newer than this cckpi's {max(known)}): restore it with a cckpi at least as new as "
                              f"the one that made it")
        engine = engines[part]
        if engine.dump_format != manifest.dump_format:
            raise BackupError(f"this backup was made from another kind of store ({manifest.dump_format} files); "
                              f"restore it into the same kind (chDB, one ClickHouse server, or a ClickHouse "
                              f"cluster) it came from")
        if entry.shards:
            try:
                check_layout(engine, entry.shards)  # type: ignore[arg-type]
            except StoreError as exc:
                raise BackupError(str(exc)) from None
        if not replace and _holds_data(engine):
            raise BackupError(f"the {part} store {engine.database!r} already holds data: pass --replace to drop it "
                              f"and restore the backup in its place")
    for part, entry in manifest.databases.items():
        _restore_database(engines[part], directory, entry, SCHEMAS[part])
    return manifest


def _restore_database(engine: Engine, directory: Path, entry: DatabaseEntry, schema: Traversable) -> None:
    """Its tables dropped (not the database: a server connection lives in it), made at the backup's version,
    loaded, then migrated to this version."""
    for table in _all_tables(engine):
        engine.command(cluster_form(f"DROP TABLE IF EXISTS {engine.database}.{table}", engine.cluster))
    migrate(engine, schema, up_to=entry.migration_version)
    for table, item in entry.tables.items():
        engine.load(table, directory / item.file)
    if entry.shards:
        attach_shards(engine, directory, entry.shards)  # type: ignore[arg-type]
    migrate(engine, schema)


def _tables(engine: Engine) -> list[str]:
    """The database's tables as the program reads them: on a sharded cluster the Distributed tables, not the
    shards' local ones; never the migrations table, which a restore rebuilds."""
    found = engine.query(f"SELECT name, engine FROM system.tables WHERE database = {literal(engine.database)} "
                         f"ORDER BY name")
    names = set(found["name"])
    return [name for name, kind in zip(found["name"], found["engine"])
            if name != "schema_migrations" and not kind.endswith("View")
            and not (name.endswith("_local") and name[: -len("_local")] in names)]


def _all_tables(engine: Engine) -> list[str]:
    return list(engine.query(f"SELECT name FROM system.tables WHERE database = {literal(engine.database)}")["name"])


def _holds_data(engine: Engine) -> bool:
    try:
        return any(int(engine.query(f"SELECT count() AS n FROM {engine.database}.{table}")["n"][0])
                   for table in _tables(engine))
    except Exception as exc:
        if is_missing_table(exc):
            return False
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
