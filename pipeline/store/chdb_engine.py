"""chDB, the embedded engine: one data folder per process, one process per data folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.store.engines import Columns, StoreError, literal


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
    dump_format = "native"  # ClickHouse's Native format (``dump``)
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

        arrow = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_(),
                 "ints": pa.list_(pa.int64())}
        schema = pa.schema([(name, arrow[types[name]]) for name in columns])
        batch = pa.table(columns, schema=schema)  # noqa: F841 - read by chDB's Python() table function
        names = ", ".join(columns)
        self._session.query(f"INSERT INTO {self.database}.{table} ({names}) SELECT {names} FROM Python(batch)")

    def dump(self, table: str, path: Path) -> int:
        """ClickHouse's Native format, written by chDB itself."""
        where = literal(str(path))
        self._session.query(f"SELECT * FROM {self.database}.{table} INTO OUTFILE {where} FORMAT Native")
        if path.stat().st_size == 0:  # an empty table writes an empty file, which file() cannot read
            return 0
        return int(self.query(f"SELECT count() AS n FROM file({where}, Native)")["n"][0])

    def load(self, table: str, path: Path) -> None:
        if path.stat().st_size == 0:
            return
        self._session.query(f"INSERT INTO {self.database}.{table} FROM INFILE {literal(str(path))} FORMAT Native")

    def beside(self) -> None:
        """One session per process, which runs a query at a time."""
        return None

    def close(self) -> None:
        """The session stays open for the process: chDB cannot reopen another folder anyway."""
