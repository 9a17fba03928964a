"""Store URLs: ``chdb:///dir[?database=db]`` and ``clickhouse://user:pw@host:port/db[?alt_hosts=..&cluster=..]``.

Parsing is apart from the engines so that settings, the stack and the tests
can read and rewrite a URL without importing a database driver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse, urlunparse

from pipeline.store.engines import StoreError


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
