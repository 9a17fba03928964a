"""The cluster form of schema statements: the one place where a ClickHouse cluster's DDL differs.

The numbered migrations are written once, for chDB and one server; on a
cluster (the store URL's ``cluster=``) ``migrations.migrate`` runs each
statement through ``cluster_statements``: ``ON CLUSTER``, replicated engines,
and, with several shards, a ``Distributed`` table over per-shard local ones
(docs/scale-out.md).
"""

from __future__ import annotations

import re

from pipeline.store.engines import StoreError

_REPLICABLE = re.compile(
    r"ENGINE\s*=\s*((?:Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing)?MergeTree)\s*\(([^)]*)\)")
_CREATE = re.compile(r"^(\s*(?:CREATE|DROP)\s+(?:TABLE|DATABASE|(?:MATERIALIZED\s+)?VIEW)\s+"
                     r"(?:IF\s+(?:NOT\s+)?EXISTS\s+)?)([A-Za-z_][\w.]*)", re.IGNORECASE)


def cluster_form(statement: str, cluster: str | None) -> str:
    """A schema statement as it must run on ``cluster``; unchanged without one (chDB, one server).

    ``CREATE``/``DROP`` get ``ON CLUSTER`` (every replica runs them through the
    distributed DDL queue) and a MergeTree-family engine becomes its
    replicated form, keyed in ZooKeeper by shard and table, named by the
    server's ``{shard}`` and ``{replica}`` macros:
    ``ReplacingMergeTree(ver)`` ->
    ``ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db.table', '{replica}', ver)``.
    ClickHouse 18.16 has no ``{database}``/``{table}`` macros, so the path names
    them literally.  ``INSERT ... SELECT`` and ``ALTER`` are left alone: a
    replicated table passes their effect to the other replicas itself.
    """
    if cluster is None:
        return statement
    created = _CREATE.match(statement)
    if created is None:
        return statement
    name = created.group(2)
    text = statement[: created.end()] + f" ON CLUSTER {cluster}" + statement[created.end():]

    def replicated(match: re.Match[str]) -> str:
        args = ", ".join(part for part in (f"'/clickhouse/tables/{{shard}}/{name}'", "'{replica}'",
                                           match.group(2).strip()) if part)
        return f"ENGINE = Replicated{match.group(1)}({args})"

    return _REPLICABLE.sub(replicated, text)


_ALTER = re.compile(r"^\s*ALTER\s+TABLE\s+([A-Za-z_][\w.]*)\s+(.*)$", re.IGNORECASE | re.DOTALL)
_ORDER_BY = re.compile(r"\bORDER\s+BY\s+(.+?)\s*(?:\bSETTINGS\b.*)?$", re.IGNORECASE | re.DOTALL)


def cluster_statements(statement: str, cluster: str | None, shards: int = 1) -> list[str]:
    """What one schema statement becomes on ``cluster`` with ``shards`` shards.

    One shard (or none): ``cluster_form``.  Several shards: a table ``db.t``
    becomes its replicated local table ``db.t_local`` on every server plus a
    ``Distributed`` table ``db.t`` over them, sharded by a hash of the table's
    ORDER BY key, so every version of one key (a contact's replacements, an
    event's repeats) lands on one shard and ReplacingMergeTree collapses it
    there.  Everything else keeps reading and writing ``db.t``.

    An ``ALTER TABLE db.t`` then changes the local table ``ON CLUSTER`` (its
    replicas pass a change on to each other); the Distributed table, whose
    columns must match, takes the same change server by server
    (``distributed_alter``).  With one shard an ALTER runs as it is: the
    replicated table passes it to the other replicas itself.
    """
    altered = _ALTER.match(statement)
    if altered is not None and shards > 1 and cluster is not None:
        name, change = altered.group(1), altered.group(2)
        return [f"ALTER TABLE {name}_local ON CLUSTER {cluster} {change}"]
    created = _CREATE.match(statement)
    if shards <= 1 or cluster is None or created is None or not _REPLICABLE.search(statement) \
            or not re.match(r"\s*CREATE\s+TABLE", statement, re.IGNORECASE):
        return [cluster_form(statement, cluster)]
    name = created.group(2)
    database, _, table = name.rpartition(".")
    local = f"{name}_local"
    order = _ORDER_BY.search(statement)
    if order is None:
        raise StoreError(f"{name}: a sharded table needs an ORDER BY key to shard by")
    key = order.group(1).strip()
    key = key[1:-1] if key.startswith("(") and key.endswith(")") else key
    local_table = statement[: created.start(2)] + local + statement[created.end(2):]
    # 18.16 sends a MATERIALIZED column of a Distributed table on to the shards, which refuse it: on the
    # Distributed table the same expression is an ALIAS (computed from the stored columns when read)
    columns = statement[created.end(): _REPLICABLE.search(statement).start()]  # type: ignore[union-attr]
    columns = re.sub(r"\bMATERIALIZED\b", "ALIAS", columns)
    return [cluster_form(local_table, cluster),
            f"{created.group(1)}{name} ON CLUSTER {cluster} {columns.strip()} "
            f"ENGINE = Distributed({cluster}, {database}, {table}_local, cityHash64({key}))"]


def distributed_alter(statement: str, cluster: str | None, shards: int = 1) -> str | None:
    """The ALTER the Distributed table of a sharded store needs after ``statement``, run on every server.

    18.16 refuses it ``ON CLUSTER`` ("isn't replicated, but shard is replicated
    according to its cluster definition"), so it is returned without.
    """
    altered = _ALTER.match(statement)
    if altered is None or shards <= 1 or cluster is None:
        return None
    return f"ALTER TABLE {altered.group(1)} {altered.group(2)}"
