"""The two ClickHouse engines behind one small interface.

This is the one place where chDB (embedded, in-process) and ClickHouse server
(through clickhouse-driver) differ: how a statement is sent, how rows come
back, how a batch is inserted, and which hosts a statement may move to.
Everything above it writes one SQL dialect, the subset ClickHouse 18.16 and
chDB share (see docs/infra-facts.md); the cluster form of schema statements
is ``pipeline.store.cluster_sql`` (docs/scale-out.md).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs, unquote, urlparse, urlunparse

Columns = dict[str, list[Any]]
T = TypeVar("T")
log = logging.getLogger("cckpi.store")


class StoreError(Exception):
    """A store problem the user can act on; the message says what to do."""


class Engine(Protocol):
    database: str
    cluster: str | None  # the ClickHouse cluster its schema is replicated on (None: one node or chDB)
    shards: int  # shards of that cluster (1: one node, chDB, or one shard of replicas)

    def command(self, sql: str) -> None: ...

    def command_on_every_server(self, sql: str) -> None:
        """``sql`` on each server of the cluster, one by one (where ``ON CLUSTER`` is refused)."""

    def query(self, sql: str) -> Columns: ...

    def insert(self, table: str, columns: Columns, types: dict[str, str]) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class StoreUrl:
    scheme: str
    database: str
    path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 9000
    user: str = "default"
    password: str = ""
    alt_hosts: tuple[tuple[str, int], ...] = ()  # other replicas, tried when the first fails
    cluster: str | None = None
    settings: tuple[tuple[str, Any], ...] = ()  # ClickHouse settings of every query (e.g. insert_quorum)

    @property
    def hosts(self) -> list[tuple[str, int]]:
        return [(self.host, self.port), *self.alt_hosts]


def _host_port(text: str, url: str) -> tuple[str, int]:
    host, _, port = text.strip().rpartition(":")
    if not host or not port.isdigit():
        raise StoreError(f"store URL {url!r}: alt_hosts lists host:port pairs separated by commas, got {text!r}")
    return host, int(port)


def _setting(value: str) -> Any:
    return int(value) if re.fullmatch(r"-?\d+", value) else value


def parse_url(url: str) -> StoreUrl:
    """``chdb:///dir[?database=db]`` or ``clickhouse://user:pw@host:port/db[?alt_hosts=h:p,..&cluster=c&k=v]``.

    On ClickHouse, ``alt_hosts`` names the other replicas (clickhouse-driver's
    option: a failed connection or write moves to the next), ``cluster`` the
    cluster the schema is created on (replicated, ``ON CLUSTER``), and every
    other parameter is a ClickHouse setting of each query (``insert_quorum=2``).
    """
    parsed = urlparse(url)
    if parsed.scheme == "chdb":
        path = unquote(parsed.netloc + parsed.path)
        if not path:
            raise StoreError(f"store URL {url!r} has no folder; write chdb:///path/to/dir")
        if not Path(path).expanduser().is_absolute():
            # chdb://relative/path would quietly make a fresh, empty store under whatever folder the command
            # happens to run in: a report from it is empty, not wrong-looking
            raise StoreError(f"store URL {url!r}: the folder {path!r} is relative; write an absolute path with "
                             f"three slashes, e.g. chdb:///var/lib/cckpi/store (or chdb://$PWD/{path})")
        database = parse_qs(parsed.query).get("database", ["cckpi"])[0]
        return StoreUrl("chdb", _check_db(database, url), path=Path(path))
    if parsed.scheme == "clickhouse":
        database = parsed.path.lstrip("/") or "cckpi"
        query = {name: values[-1] for name, values in parse_qs(parsed.query).items()}
        alt = tuple(_host_port(item, url) for item in query.pop("alt_hosts", "").split(",") if item.strip())
        cluster = query.pop("cluster", None)
        if cluster is not None:
            _check_db(cluster, url)
        return StoreUrl(
            "clickhouse",
            _check_db(database, url),
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 9000,
            user=unquote(parsed.username or "default"),
            password=unquote(parsed.password or ""),
            alt_hosts=alt,
            cluster=cluster,
            settings=tuple((name, _setting(value)) for name, value in sorted(query.items())),
        )
    raise StoreError(f"store URL {url!r}: use chdb:///path or clickhouse://user:password@host:port/db")


def with_database(url: str, database: str) -> str:
    """The same store URL (hosts, credentials, parameters) for another database: a test's or a bench's fresh one."""
    parsed = urlparse(url)
    if parsed.scheme == "chdb":
        query = {name: values[-1] for name, values in parse_qs(parsed.query).items()} | {"database": database}
        return urlunparse(parsed._replace(query="&".join(f"{k}={v}" for k, v in query.items())))
    return urlunparse(parsed._replace(path=f"/{database}"))


def _check_db(name: str, url: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise StoreError(f"store URL {url!r}: database name {name!r} must be letters, digits and _")
    return name


def _ensure_not_locked(path: Path) -> None:
    """chDB holds an exclusive lock on ``status`` while a process has the folder open."""
    import fcntl

    status = path / "status"
    if not status.exists():
        return
    with status.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise StoreError(
                f"the embedded store {path} is in use by another process; the embedded store is "
                "single-process, so stop the other process or use ClickHouse server "
                "(CCKPI_STORE_URL=clickhouse://...) for concurrent access"
            ) from None
        fcntl.flock(handle, fcntl.LOCK_UN)


def _make_folder(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the embedded store folder {path}: {exc.strerror}; choose a folder this "
                         f"user can write (chdb:///path/to/dir)") from None


class ChdbEngine:
    """chDB: one data folder per process, one process per data folder."""

    _open_path: Path | None = None
    _session: Any = None
    cluster: str | None = None  # embedded: always one node
    shards: int = 1

    def __init__(self, path: Path, database: str) -> None:
        path = path.expanduser().resolve()
        if path.exists() and not path.is_dir():
            raise StoreError(f"the embedded store {path} is a file, not a folder; point the store URL at a folder "
                             f"(chdb:///path/to/dir; it is created if missing) or move the file away")
        self.database = database
        self._session = self._shared_session(path)

    @classmethod
    def _shared_session(cls, path: Path) -> Any:
        if cls._open_path is not None:
            if cls._open_path != path:
                raise StoreError(
                    f"this process already uses the embedded store {cls._open_path}; chDB allows one "
                    f"folder per process, so open {path} from another process"
                )
            return cls._session
        from chdb import session as chdb_session

        _make_folder(path)
        _ensure_not_locked(path)
        try:
            cls._session = chdb_session.Session(str(path))
        except Exception as exc:
            raise StoreError(f"cannot open the embedded store {path}: {exc}") from None
        cls._open_path = path
        return cls._session

    def command(self, sql: str) -> None:
        self._session.query(sql)

    def command_on_every_server(self, sql: str) -> None:
        self.command(sql)  # one process, one server

    def query(self, sql: str) -> Columns:
        table = self._session.query(sql, "ArrowTable")
        return {name: table.column(name).to_pylist() for name in table.column_names}

    def insert(self, table: str, columns: Columns, types: dict[str, str]) -> None:
        import pyarrow as pa

        arrow = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}
        schema = pa.schema([(name, arrow[types[name]]) for name in columns])
        batch = pa.table(columns, schema=schema)  # noqa: F841 - read by chDB's Python() table function
        names = ", ".join(columns)
        self._session.query(f"INSERT INTO {self.database}.{table} ({names}) SELECT {names} FROM Python(batch)")

    def close(self) -> None:
        """The session stays open for the process: chDB cannot reopen another folder anyway."""


_UNKNOWN_DATABASE = 81
# server errors after which another replica may succeed: the replica lost ZooKeeper (read-only table, keeper
# errors), a quorum write could not complete (too few live replicas, previous quorum write unfinished), timeouts
_REPLICA_ERRORS = frozenset({159, 209, 210, 225, 242, 285, 286, 319, 999})
FAILOVER_S = 20.0  # how long one statement keeps trying the replicas before its error counts


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
            f"{str(exc).splitlines()[0]}; is the stack up (`cckpi stack up`), and may this user use that database?"
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
        errors are counted rather than logged by the worker (``worker.outage``):
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
        from clickhouse_driver import Client

        servers = self.query(f"SELECT DISTINCT host_address, port FROM system.clusters "
                             f"WHERE cluster = {literal(self.cluster)}")
        for host, port in zip(servers["host_address"], servers["port"]):
            client = Client(host=host, port=int(port), user=self._url.user, password=self._url.password,
                            database=self.database, settings=self._settings, connect_timeout=5)
            try:
                client.execute(sql)
            finally:
                client.disconnect()

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

    def close(self) -> None:
        self._client.disconnect()


class _Unconnected:
    """Stands in for a client while no replica answers: each use raises the last connection error."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        raise self.error

    def disconnect(self) -> None:
        pass


def open_engine(url: str) -> Engine:
    parsed = parse_url(url)
    if parsed.scheme == "chdb":
        assert parsed.path is not None
        return ChdbEngine(parsed.path, parsed.database)
    return ClickhouseEngine(parsed)


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
