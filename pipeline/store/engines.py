"""The two ClickHouse engines behind one small interface.

This is the one place where chDB (embedded, in-process) and ClickHouse server
(through clickhouse-driver) differ: how a statement is sent, how rows come
back, how a batch is inserted.  Everything above it writes one SQL dialect,
the subset ClickHouse 18.16 and chDB share (see docs/infra-facts.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlparse

Columns = dict[str, list[Any]]


class StoreError(Exception):
    """A store problem the user can act on; the message says what to do."""


class Engine(Protocol):
    database: str

    def command(self, sql: str) -> None: ...

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


def parse_url(url: str) -> StoreUrl:
    """``chdb:///dir[?database=db]`` or ``clickhouse://user:pw@host:port/db``."""
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
        return StoreUrl(
            "clickhouse",
            _check_db(database, url),
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 9000,
            user=unquote(parsed.username or "default"),
            password=unquote(parsed.password or ""),
        )
    raise StoreError(f"store URL {url!r}: use chdb:///path or clickhouse://user:password@host:port/db")


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


class ClickhouseEngine:
    """ClickHouse server through clickhouse-driver's native protocol."""

    def __init__(self, url: StoreUrl, settings: dict[str, Any] | None = None) -> None:
        self.database = url.database
        self._url = url
        self._settings = {"insert_block_size": 1_000_000, **(settings or {})}
        try:
            self._client = self._connect(url.database)
        except Exception as exc:
            if getattr(exc, "code", None) != _UNKNOWN_DATABASE:
                raise self._unreachable(exc) from None
            # a fresh database (tests, a new deployment): create it through the server's default database
            try:
                bootstrap = self._connect("default")
                bootstrap.execute(f"CREATE DATABASE IF NOT EXISTS {url.database}")
                bootstrap.disconnect()
            except Exception as create_exc:  # noqa: BLE001 - said in one line, with the fix
                raise self._unreachable(create_exc) from None
            self._client = self._connect(url.database)

    def _connect(self, database: str) -> Any:
        """Connect into ``database`` itself: users restricted by allow_databases may not enter ``default``."""
        from clickhouse_driver import Client

        url = self._url
        client = Client(host=url.host, port=url.port, user=url.user, password=url.password, database=database,
                        settings=self._settings, connect_timeout=5, send_receive_timeout=300)
        client.execute("SELECT 1")
        return client

    def _unreachable(self, exc: Exception) -> StoreError:
        url = self._url
        if isinstance(exc, EOFError):
            # ClickHouse 18.16 drops the connection at the handshake when the user may not use the database
            # (allow_databases), or it does not exist and the user may not see another: a bare "Unexpected EOF"
            return StoreError(
                f"ClickHouse at {url.host}:{url.port} refused user {url.user!r} the database {url.database!r} "
                f"(it closed the connection): this user may not use that database, or it does not exist yet; "
                f"the admin user creates databases (run once with the admin URL, CCKPI_ADMIN_STORE_URL in "
                f"`cckpi stack env`), or give {url.user!r} access to {url.database!r} in the server's users.xml"
            )
        return StoreError(
            f"cannot use ClickHouse at {url.host}:{url.port} as {url.user} in database {url.database}: "
            f"{str(exc).splitlines()[0]}; is the stack up (`cckpi stack up`), and may this user use that database?"
        )

    def command(self, sql: str) -> None:
        self._client.execute(sql)

    def query(self, sql: str) -> Columns:
        data, types = self._client.execute(sql, columnar=True, with_column_types=True)
        names = [name for name, _ in types]
        if not data:
            return {name: [] for name in names}
        return {name: list(column) for name, column in zip(names, data)}

    def insert(self, table: str, columns: Columns, types: dict[str, str]) -> None:
        names = ", ".join(columns)
        # Rows are always passed as data: inline VALUES hang clickhouse-driver (docs/infra-facts.md).
        self._client.execute(f"INSERT INTO {self.database}.{table} ({names}) VALUES", list(columns.values()),
                             columnar=True)

    def close(self) -> None:
        self._client.disconnect()


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
