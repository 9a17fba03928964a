"""ClickHouse server through clickhouse-driver, with failover across replicas (``alt_hosts``)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pipeline.store.engines import Columns, StoreError, literal
from pipeline.store.store_url import StoreUrl

T = TypeVar("T")
log = logging.getLogger("cckpi.store")


_UNKNOWN_DATABASE = 81
# server errors after which another replica may succeed: the replica lost ZooKeeper (read-only table, keeper
# errors), a quorum write could not complete (too few live replicas, previous quorum write unfinished), timeouts
_REPLICA_ERRORS = frozenset({159, 209, 210, 225, 242, 285, 286, 319, 999})
FAILOVER_S = 20.0  # how long one statement keeps trying the replicas before its error counts


def server_message(exc: BaseException) -> str:
    """A server error in one line: clickhouse-driver's text is "Code: N." on a line of its own, then the
    server's message and its stack trace."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    if re.fullmatch(r"Code: \d+\.", lines[0]) and len(lines) > 1:
        return f"{lines[0]} {lines[1].split(' Stack trace:')[0]}"
    return lines[0]


def _replica_problem(exc: BaseException) -> bool:
    """True for a lost connection or a replica-side error worth retrying on another replica."""
    from clickhouse_driver.errors import NetworkError, ServerException, SocketTimeoutError, UnexpectedPacketFromServerError

    if isinstance(exc, (NetworkError, SocketTimeoutError, UnexpectedPacketFromServerError, EOFError, OSError)):
        return True
    return isinstance(exc, ServerException) and exc.code in _REPLICA_ERRORS


class ClickhouseEngine:
    """ClickHouse server through clickhouse-driver's native protocol.

    With several hosts (``alt_hosts``), a statement that fails for a reason
    another replica may not share is sent again to the next host, for up to
    ``FAILOVER_S``, before its error reaches the caller (the worker then
    retries the batch, and commits nothing until it is stored).  Every write
    of the store is idempotent, so a write repeated after an unclear failure
    changes no number.
    """

    @property
    def dump_format(self) -> str:
        """``rows`` (``pipeline.store.row_files``, through ``dump``); ``parts`` on a cluster, whose backup
        freezes each shard's parts on one replica (``pipeline.store.cluster_backup``)."""
        return "rows" if self.cluster is None else "parts"

    def __init__(self, url: StoreUrl, settings: dict[str, Any] | None = None) -> None:
        self.database = url.database
        self.cluster = url.cluster
        self._url = url
        self._hosts = url.hosts
        self._settings = {"insert_block_size": 1_000_000, **dict(url.settings), **(settings or {})}
        self.shards = 1
        self._on: tuple[str, int] | None = None  # the host the client last ran a statement on
        self._client = self._open()
        if self.cluster is not None:
            self._read_shards(self.cluster)

    def _read_shards(self, cluster: str) -> None:
        """How many shards the cluster has; with several, writes through Distributed tables must be synchronous
        (the worker reads back what it wrote) and subqueries over them run once, globally."""
        found = self.query(f"SELECT uniqExact(shard_num) AS n FROM system.clusters WHERE cluster = {literal(cluster)}")
        self.shards = int(found["n"][0]) if found["n"] else 0
        if self.shards == 0:
            raise StoreError(f"store URL names cluster {cluster!r}, which the server's remote_servers lacks; "
                             "fix cluster= in the URL or the server config")
        if self.shards > 1:
            sharded = {"insert_distributed_sync": 1, "distributed_product_mode": "global"}
            self._settings = {**sharded, **self._settings}  # for the clients of later reconnections
            self._client.settings.update({k: self._settings[k] for k in sharded})

    def _open(self) -> Any:
        """A client into the database on the first host that answers (creating the database when missing)."""
        try:
            return self._connect(self._url.database)
        except Exception as exc:
            if getattr(exc, "code", None) != _UNKNOWN_DATABASE:
                raise self._unreachable(exc) from None
            # a fresh database (tests, a new deployment): create it through the server's default database
            try:
                bootstrap = self._connect("default")
                bootstrap.execute(f"CREATE DATABASE IF NOT EXISTS {self._url.database}")
                bootstrap.disconnect()
            except Exception as create_exc:  # noqa: BLE001 - said in one line, with the fix
                raise self._unreachable(create_exc) from None
            return self._connect(self._url.database)

    def _connect(self, database: str) -> Any:
        """Connect into ``database`` itself: users restricted by allow_databases may not enter ``default``."""
        from clickhouse_driver import Client

        url = self._url
        (host, port), *alt = self._hosts
        extra = {"alt_hosts": ",".join(f"{h}:{p}" for h, p in alt)} if alt else {}
        client = Client(host=host, port=port, user=url.user, password=url.password, database=database,
                        settings=self._settings, connect_timeout=5, send_receive_timeout=300, **extra)
        client.execute("SELECT 1")
        return client

    def _unreachable(self, exc: Exception) -> StoreError:
        url = self._url
        where = ", ".join(f"{h}:{p}" for h, p in self._hosts)
        if isinstance(exc, EOFError):
            # ClickHouse 18.16 drops the connection at the handshake when the user may not use the database
            # (allow_databases), or it does not exist and the user may not see another: a bare "Unexpected EOF"
            return StoreError(
                f"ClickHouse at {where} refused user {url.user!r} the database {url.database!r} "
                f"(it closed the connection): this user may not use that database, or it does not exist yet; "
                f"the admin user creates databases (run once with the admin URL, CCKPI_ADMIN_STORE_URL in "
                f"`cckpi stack env`), or give {url.user!r} access to {url.database!r} in the server's users.xml"
            )
        return StoreError(
            f"cannot use ClickHouse at {where} as {url.user} in database {url.database}: "
            f"{server_message(exc)}; is the stack up (`cckpi stack up`), and may this user use that database?"
        )

    def _run(self, call: Callable[[Any], T]) -> T:
        """``call(client)``; on a replica problem with other hosts known, the same call on the next host."""
        if len(self._hosts) == 1:
            return call(self._client)
        deadline = time.monotonic() + FAILOVER_S
        while True:
            try:
                result = call(self._client)
                self._note_host()
                return result
            except Exception as exc:
                if not _replica_problem(exc) or time.monotonic() > deadline:
                    raise
                failed = self._hosts[0]
                self._hosts = [*self._hosts[1:], failed]  # the next replica first, the failed one last
                log.warning("ClickHouse %s:%d failed (%s); trying %s:%d", *failed, str(exc).splitlines()[0][:200],
                            *self._hosts[0])
                self._on = None  # said here: the next statement's host is not news
                self._client.disconnect()
                time.sleep(0.5)
                try:
                    self._client = self._connect(self.database)
                except Exception as again:  # noqa: BLE001 - no host answered: the next round raises or retries it
                    self._client = _Unconnected(again)

    def _note_host(self) -> None:
        """One warning when the driver itself moved to another host between two statements.

        A replica that dies between statements makes clickhouse-driver
        reconnect to the next of ``alt_hosts`` on its own, and its connection
        errors are counted rather than logged by the worker (``pipeline.outage``):
        without this line a failover would leave no trace in the log.
        """
        connection = getattr(self._client, "connection", None)
        host, port = getattr(connection, "host", None), getattr(connection, "port", None)
        if host is None or port is None:
            return
        now = (str(host), int(port))
        if self._on is not None and now != self._on:
            log.warning("ClickHouse %s:%d failed or went away; now on %s:%d", *self._on, *now)
        self._on = now

    def command(self, sql: str) -> None:
        self._run(lambda client: client.execute(sql))

    def command_on_every_server(self, sql: str) -> None:
        """``sql`` on each server of the cluster (from ``system.clusters``), or here without a cluster.

        ClickHouse 18.16 refuses ``ALTER ... ON CLUSTER`` of a table that is
        not replicated (a ``Distributed`` one) where the cluster replicates
        internally, so such a change is made server by server.
        """
        if self.cluster is None:
            self.command(sql)
            return
        servers = self.query(f"SELECT DISTINCT host_address, port FROM system.clusters "
                             f"WHERE cluster = {literal(self.cluster)}")
        for host, port in zip(servers["host_address"], servers["port"]):
            client = self.server_client(host, int(port))
            try:
                client.execute(sql)
            finally:
                client.disconnect()

    def server_client(self, host: str, port: int) -> Any:
        """A clickhouse-driver client of this one server (no failover), as this URL's user in its database:
        for what must run on a chosen replica (a DDL 18.16 refuses ON CLUSTER, a FREEZE, an ATTACH)."""
        from clickhouse_driver import Client

        return Client(host=host, port=port, user=self._url.user, password=self._url.password,
                      database=self.database, settings=self._settings, connect_timeout=5)

    def query(self, sql: str) -> Columns:
        data, types = self._run(lambda client: client.execute(sql, columnar=True, with_column_types=True))
        names = [name for name, _ in types]
        if not data:
            return {name: [] for name in names}
        return {name: list(column) for name, column in zip(names, data)}

    def insert(self, table: str, columns: Columns, types: dict[str, str]) -> None:
        names = ", ".join(columns)
        data = list(columns.values())
        # Rows are always passed as data: inline VALUES hang clickhouse-driver (docs/infra-facts.md).
        self._run(lambda client: client.execute(f"INSERT INTO {self.database}.{table} ({names}) VALUES", data,
                                                columnar=True))

    def dump(self, table: str, path: Path) -> int:
        """The rows through clickhouse-driver, block by block, into a row file (``row_files``): no failover
        mid-read, which would repeat the blocks already written."""
        from pipeline.store import row_files

        rows = self._client.execute_iter(f"SELECT * FROM {self.database}.{table}", with_column_types=True,
                                         settings={"max_block_size": _BLOCK_ROWS})
        columns = [(str(name), str(kind)) for name, kind in next(rows)]
        return row_files.write(path, columns, _blocks(rows))

    def load(self, table: str, path: Path) -> None:
        from pipeline.store import row_files

        columns, blocks = row_files.read(path)
        names = ", ".join(name for name, _ in columns)
        for block in blocks:
            self._run(lambda client: client.execute(f"INSERT INTO {self.database}.{table} ({names}) VALUES", block))

    def beside(self) -> ClickhouseEngine:
        """A connection of its own: ``cckpi serve``'s long reads never hold the wallboard's, and a report reads
        its agent time beside its contacts (ClickHouse 18.16 merges a ``FINAL`` read on one thread, so two
        such reads on two connections use both cores of a small server)."""
        return ClickhouseEngine(self._url, self._settings)

    def close(self) -> None:
        self._client.disconnect()


_BLOCK_ROWS = 50_000


def _blocks(rows: Iterator[Any]) -> Iterator[list[tuple[Any, ...]]]:
    block: list[tuple[Any, ...]] = []
    for row in rows:
        block.append(tuple(row))
        if len(block) == _BLOCK_ROWS:
            yield block
            block = []
    if block:
        yield block


class _Unconnected:
    """Stands in for a client while no replica answers: each use raises the last connection error."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error

    def disconnect(self) -> None:
        pass
