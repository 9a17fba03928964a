"""What a client needs to reach the local stack: URLs, bootstrap, credentials.

``env_exports`` is a pure function of a ``StackInfo`` so that the text that
``eval "$(cckpi stack env)"`` runs is unit-tested without any server.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from pipeline.settings import Settings
from pipeline.stack import passwords
from pipeline.stack.layout import Layout


@dataclass(frozen=True)
class StackInfo:
    """Addresses and credentials of one stack folder."""

    root: Path
    host: str
    kafka_port: int
    clickhouse_tcp_port: int
    clickhouse_http_port: int
    prometheus_port: int
    alertmanager_port: int
    database: str
    payroll_database: str
    passwords: dict[str, str] = field(repr=False)

    def store_url(self, user: str, database: str) -> str:
        """``clickhouse://user:password@host:port/db`` with the password URL-quoted."""
        password = quote(self.passwords[user], safe="")
        return f"clickhouse://{user}:{password}@{self.host}:{self.clickhouse_tcp_port}/{database}"

    @property
    def store(self) -> str:
        return self.store_url("cckpi_writer", self.database)

    @property
    def wallboard_store(self) -> str:
        return self.store_url("cckpi_wallboard", self.database)

    @property
    def payroll_store(self) -> str:
        return self.store_url("cckpi_payroll", self.payroll_database)

    @property
    def admin_store(self) -> str:
        return self.store_url("cckpi_admin", self.database)

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def prometheus_url(self) -> str:
        return f"http://{self.host}:{self.prometheus_port}"

    @property
    def alertmanager_url(self) -> str:
        return f"http://{self.host}:{self.alertmanager_port}"

    @property
    def prometheus_targets_dir(self) -> Path:
        """Drop a file_sd JSON file here to make Prometheus scrape a worker."""
        return self.root / "prometheus" / "targets"

    @property
    def prometheus_follow_targets_dir(self) -> Path:
        """The same for a ``cckpi follow`` (the ``cckpi-follow`` job)."""
        return self.root / "prometheus" / "follow-targets"

    def env(self) -> dict[str, str]:
        """The settings (docs/design.md section 7) that point every command at this stack."""
        return {
            "CCKPI_STORE_URL": self.store,
            "CCKPI_WALLBOARD_STORE_URL": self.wallboard_store,
            "CCKPI_PAYROLL_STORE_URL": self.payroll_store,
            "CCKPI_ADMIN_STORE_URL": self.admin_store,
            "CCKPI_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "CCKPI_PROMETHEUS_URL": self.prometheus_url,
            "CCKPI_ALERTMANAGER_URL": self.alertmanager_url,
        }


def exports(env: dict[str, str]) -> str:
    """``export NAME=value`` lines, shell-quoted, for ``eval "$(...)"``."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


def env_exports(info: StackInfo) -> str:
    """``export NAME=value`` lines, shell-quoted, for ``eval "$(cckpi stack env)"``."""
    return exports(info.env())


def stack_info(settings: Settings) -> StackInfo:
    """Describe the stack folder of ``settings`` (its passwords must exist: `cckpi stack up`)."""
    layout = Layout.from_settings(settings.stack)
    stack = settings.stack
    return StackInfo(
        root=layout.root, host=stack.host, kafka_port=stack.kafka_port,
        clickhouse_tcp_port=stack.clickhouse_tcp_port, clickhouse_http_port=stack.clickhouse_http_port,
        prometheus_port=stack.prometheus_port, alertmanager_port=stack.alertmanager_port,
        database=stack.database, payroll_database=stack.payroll_database,
        passwords=passwords.load(layout.secrets),
    )
