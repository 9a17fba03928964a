"""Shared pieces of the benchmark: statistics, fresh databases and topics, the machine description.

Percentiles are ``pipeline.core.kpi.percentile`` (q in 0..1, linear, None
for no samples), the same function the reports use, so there is one
definition of a percentile in the project.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def rounded(value: float | None, digits: int) -> float | None:
    """A figure for the JSON: rounded, or None when there was nothing to measure (NaN is not JSON)."""
    if value is None or math.isnan(value):
        return None
    return round(value, digits)


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def fresh_name(prefix: str) -> str:
    """A database / topic-prefix name unused by anyone else (letters, digits and _)."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class Target:
    """Where the bench runs: the stack's Kafka and a ClickHouse user that may create databases."""

    kafka_bootstrap: str
    admin_store_url: str  # clickhouse://user:pw@host:port/db[?alt_hosts=..&cluster=..]: another db per run

    @classmethod
    def from_env(cls) -> Target:
        admin = os.environ.get("CCKPI_ADMIN_STORE_URL")
        bootstrap = os.environ.get("CCKPI_KAFKA_BOOTSTRAP")
        if not admin or not bootstrap or not admin.startswith("clickhouse://"):
            raise RuntimeError("cckpi bench needs the local stack: run `cckpi stack up` and "
                               "`eval \"$(cckpi stack env)\"` (CCKPI_ADMIN_STORE_URL, CCKPI_KAFKA_BOOTSTRAP)")
        return cls(bootstrap, admin)

    def store_url(self, database: str) -> str:
        """The admin URL (every host, the cluster, its settings) for ``database``."""
        from pipeline.store.store_url import with_database

        return with_database(self.admin_store_url, database)


def drop_database(target: Target, database: str) -> None:
    from pipeline.store.clickhouse_engine import ClickhouseEngine
    from pipeline.store.store_url import parse_url
    from pipeline.store.store import Store

    engine = ClickhouseEngine(parse_url(target.store_url("default")))
    try:
        Store(engine).drop_database(database)
    finally:
        engine.close()


def cli_env(**extra: str) -> dict[str, str]:
    """The environment of a ``cckpi`` subprocess: ours plus ``extra`` (CCKPI_* settings)."""
    env = dict(os.environ)
    env.update(extra)
    return env


def cckpi_command() -> list[str]:
    return [sys.executable, "-m", "pipeline.cli.main"]


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "not installed"


def machine(target: Target | None) -> dict[str, Any]:
    """Cores, memory and the versions that move the figures."""
    memory_mb = 0
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    memory_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    out: dict[str, Any] = {
        "cores": os.cpu_count(),
        "memory_mb": memory_mb,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "faust": _version("faust-streaming"),
        "aiokafka": _version("aiokafka"),
        "clickhouse_driver": _version("clickhouse-driver"),
        "chdb": _version("chdb"),
        "uvloop": _version("uvloop"),
    }
    if target is not None:
        from pipeline.store import probes
        from pipeline.store.clickhouse_engine import ClickhouseEngine
        from pipeline.store.store_url import parse_url

        engine = ClickhouseEngine(parse_url(target.store_url("default")))
        try:
            out["clickhouse"] = probes.server_version(engine)
        finally:
            engine.close()
        out["kafka"] = kafka_version()
    return out


def kafka_version() -> str:
    """The broker's version from the jars the stack runs (``libs-<version>``), else unknown."""
    try:
        from pipeline.settings import load_settings

        base = str(load_settings().stack.dir)  # CCKPI_STACK__DIR when set, else the default
    except Exception:  # noqa: BLE001 - the description is best effort
        return "unknown"
    for libs in sorted(Path(base, "kafka").glob("libs-*")):
        return libs.name.removeprefix("libs-")
    return "unknown"


def commit() -> str:
    """The commit of the checkout the bench runs from (the current folder), or ``unknown`` outside one."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "pipeline"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
