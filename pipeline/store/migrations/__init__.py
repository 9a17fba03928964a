"""Numbered, reviewable schema steps: ``NNNN_name.sql`` files in this package.

The wallboard database's steps sit beside this module, the payroll
database's in ``payroll/``; both ship inside the wheel and are read with
``importlib.resources``.  ``cckpi schemas export`` copies them to the
repository's ``schemas/clickhouse/`` for reviewers and deployment tools.

Each file is a list of ``;``-separated statements with a ``{db}`` placeholder,
written in the SQL subset ClickHouse 18.16 and chDB share.  A statement that
names ``{part}`` runs ``PARTS`` times, with ``{part}`` = 0 .. ``PARTS``-1 and
``{parts}`` = ``PARTS``: a backfill that groups the whole store (say by
``cityHash64(customer_key) % {parts} = {part}``) then holds one part at a time
within the profile's memory limit.  On a ClickHouse
cluster (the store URL's ``cluster=``) each statement runs in its cluster form
(``cluster_sql.cluster_statements``: replicated engines, ``ON CLUSTER``, and
``Distributed`` tables over per-shard local ones when there are several
shards), so the same files serve chDB, one server and a cluster.  Applying is
idempotent and records the version, so two workers starting at once cannot
break a store: CREATE statements say IF NOT EXISTS, and since 18.16 has no
``ADD COLUMN IF NOT EXISTS``, an ``ADD COLUMN`` that finds its column already
there (the other worker added it) counts as applied.

Numbers are reserved per change while several are made in parallel, so one
may land before a lower one: numbers only have to rise, and every migration
whose version is not recorded yet is applied, in order (not only those above
the highest recorded one).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from pipeline.store.cluster_sql import cluster_statements, distributed_alter
from pipeline.store.engines import Engine

WALLBOARD_MIGRATIONS: Traversable = resources.files(__package__)
PAYROLL_MIGRATIONS: Traversable = WALLBOARD_MIGRATIONS / "payroll"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
PARTS = 16  # a 50-million-contact store: about 3 million contacts per part


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def load(directory: Traversable = WALLBOARD_MIGRATIONS) -> list[Migration]:
    """The migrations in version order; a repeated number is an error (a gap is a number still reserved)."""
    found = []
    for path in sorted((p for p in directory.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"{path}: migration files are named NNNN_name.sql")
        text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("--"))
        statements = tuple(step for part in text.split(";") if part.strip() for step in _per_part(part.strip()))
        found.append(Migration(int(match.group(1)), match.group(2), statements))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions) or any(v < 1 for v in versions):
        raise ValueError(f"{directory}: migration numbers must be distinct and start at 1, got {versions}")
    return found


def _per_part(statement: str) -> list[str]:
    if "{part}" not in statement:
        return [statement]
    return [statement.replace("{parts}", str(PARTS)).replace("{part}", str(k)) for k in range(PARTS)]


def applied_versions(engine: Engine) -> set[int]:
    """Every recorded version (a lower number may land after a higher one)."""
    rows = engine.query(f"SELECT DISTINCT version FROM {engine.database}.schema_migrations")
    return {int(v) for v in rows["version"]}


def migrate(engine: Engine, directory: Traversable = WALLBOARD_MIGRATIONS) -> int:
    """Apply what is missing; returns the version the store is at.

    A store already at the latest version gets no DDL at all, so read-only
    users (the wallboard) can open it.
    """
    db = engine.database
    migrations = load(directory)
    latest = migrations[-1].version if migrations else 0
    try:
        if {m.version for m in migrations} <= applied_versions(engine):
            return latest
    except Exception:  # no migrations table yet: a new store
        pass
    _apply(engine, f"CREATE DATABASE IF NOT EXISTS {db}")
    _apply(engine, f"CREATE TABLE IF NOT EXISTS {db}.schema_migrations (version UInt32, name String, applied_ms Int64) "
        "ENGINE = MergeTree() ORDER BY version")
    done = applied_versions(engine)
    for migration in migrations:
        if migration.version in done:
            continue
        for statement in migration.statements:
            _apply(engine, statement.replace("{db}", db))
        engine.insert(
            "schema_migrations",
            {"version": [migration.version], "name": [migration.name], "applied_ms": [int(time.time() * 1000)]},
            {"version": "int", "name": "str", "applied_ms": "int"},
        )
    return latest


def _apply(engine: Engine, statement: str) -> None:
    """One statement in the engine's form (its cluster form on a cluster)."""
    steps = [(engine.command, step) for step in cluster_statements(statement, engine.cluster, engine.shards)]
    distributed = distributed_alter(statement, engine.cluster, engine.shards)
    if distributed is not None:
        steps.append((engine.command_on_every_server, distributed))
    for run, step in steps:
        try:
            run(step)
        except Exception as exc:
            if "ADD COLUMN" in step.upper() and "column with this name already exists" in str(exc):
                continue  # a concurrent migration added it first
            raise
