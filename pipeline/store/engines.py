"""What the two ClickHouse engines share: the ``Engine`` interface, its column type, its error, SQL literals.

The engines (``chdb_engine``: embedded, in-process; ``clickhouse_engine``:
the server through clickhouse-driver) are the one place where the two differ:
how a statement is sent, how rows come back, how a batch is inserted, and
which hosts a statement may move to.  They import this module, and
``engine_choice.open_engine`` above them picks one; nothing here imports
them.  Everything above them writes one SQL dialect, the subset ClickHouse
18.16 and chDB share (see docs/infra-facts.md); the cluster form of schema
statements is ``pipeline.store.cluster_sql`` (docs/scale-out.md), and store
URLs are parsed in ``store_url``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

Columns = dict[str, list[Any]]


class StoreError(Exception):
    """A store problem the user can act on; the message says what to do."""


class Engine(Protocol):
    database: str
    cluster: str | None  # the ClickHouse cluster its schema is replicated on (None: one node or chDB)
    shards: int  # shards of that cluster (1: one node, chDB, or one shard of replicas)
    dump_format: str  # the file format of ``dump`` (each engine reads only its own)

    def command(self, sql: str) -> None: ...

    def command_on_every_server(self, sql: str) -> None:
        """``sql`` on each server of the cluster, one by one (where ``ON CLUSTER`` is refused)."""

    def query(self, sql: str) -> Columns: ...

    def insert(self, table: str, columns: Columns, types: dict[str, str]) -> None: ...

    def dump(self, table: str, path: Path) -> int:
        """Every row of ``table`` into a new file at ``path``, read by one query: a consistent cut of the table
        while writers go on (a query reads the parts that existed when it began).  Returns the row count."""

    def load(self, table: str, path: Path) -> None:
        """Append the rows of a file ``dump`` wrote to ``table``."""

    def beside(self) -> Engine | None:
        """A second connection to the same store, for a read run at the same time as this one's; None where the
        engine runs one query at a time."""

    def close(self) -> None: ...


def literal(value: Any) -> str:
    """A SQL literal both engines read the same way (the store inlines its few parameters)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, Sequence):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    raise TypeError(f"no SQL literal for {type(value).__name__}")
