"""ClickHouse server from Debian's package, with a private config under the stack folder.

Runs as the current user (root is fine) without systemd.  The users and their
database limits are rendered from ``templates/clickhouse/users.xml.tmpl``
with the random passwords of ``secrets.env`` (only their SHA-256 is written).
"""

from __future__ import annotations

from typing import Any

from pipeline.stack import process
from pipeline.stack.base import Context, Service
from pipeline.stack.errors import StackError
from pipeline.stack.install import find_command
from pipeline.stack.layout import render, template
from pipeline.stack.passwords import sha256_hex


def admin_client(ctx: Context, port: int | None = None, **kwargs: Any) -> Any:
    """A clickhouse-driver client as ``cckpi_admin`` (the one user that may create databases)."""
    from clickhouse_driver import Client

    return Client(ctx.stack.host, port=port or ctx.stack.clickhouse_tcp_port, user="cckpi_admin",
                  password=ctx.passwords["cckpi_admin"], connect_timeout=1, send_receive_timeout=10, **kwargs)


class ClickHouse(Service):
    """The single-node server; ``cluster.clickhouse.Replica`` changes only its name, ports and extra config."""

    name = "clickhouse"
    apt = {"clickhouse-server": ("clickhouse-server", "clickhouse-client")}

    def tcp_port(self, ctx: Context) -> int:
        return ctx.stack.clickhouse_tcp_port

    def http_port(self, ctx: Context) -> int:
        return ctx.stack.clickhouse_http_port

    def ports(self, ctx: Context) -> dict[str, int]:
        return {"clickhouse_tcp_port": self.tcp_port(ctx), "clickhouse_http_port": self.http_port(ctx)}

    def listens(self, ctx: Context) -> str:
        return f"tcp {ctx.stack.host}:{self.tcp_port(ctx)}, http {self.http_port(ctx)}"

    def config_values(self, ctx: Context) -> dict[str, object]:
        """What the config and users templates are filled with."""
        values: dict[str, object] = {
            "root": ctx.layout.root, "dir": ctx.layout.service_dir(self.name), "host": ctx.stack.host,
            "tcp_port": self.tcp_port(ctx), "http_port": self.http_port(ctx), "db": ctx.stack.database,
            "payroll_db": ctx.stack.payroll_database,
        }
        for user, password in ctx.passwords.items():
            values[f"{user.removeprefix('cckpi_')}_sha256"] = sha256_hex(password)
        return values

    def prepare(self, ctx: Context) -> None:
        chdir = ctx.layout.service_dir(self.name)
        for sub in ("data", "tmp", "user_files", "format_schemas"):
            (chdir / sub).mkdir(parents=True, exist_ok=True)
        values = self.config_values(ctx)
        render(template("clickhouse", "config.xml.tmpl"), chdir / "config.xml", values)
        render(template("clickhouse", "users.xml.tmpl"), chdir / "users.xml", values, mode=0o600)

    def command(self, ctx: Context) -> list[str]:
        binary = find_command("clickhouse-server")
        if binary is None:
            raise StackError("clickhouse: clickhouse-server is missing: apt-get install -y clickhouse-server")
        return [binary, f"--config-file={ctx.layout.service_dir(self.name) / 'config.xml'}"]

    def ready(self, ctx: Context) -> bool:
        from clickhouse_driver.errors import Error

        if not process.port_open(ctx.stack.host, self.tcp_port(ctx)):
            return False  # the driver would log a traceback for every refused poll
        client = admin_client(ctx, self.tcp_port(ctx))
        try:
            return bool(client.execute("SELECT 1") == [(1,)])
        except (Error, OSError, EOFError):
            return False
        finally:
            client.disconnect()

    def after_ready(self, ctx: Context) -> None:
        """The wallboard and payroll databases exist whenever the stack is up."""
        client = admin_client(ctx, self.tcp_port(ctx))
        try:
            for database in (ctx.stack.database, ctx.stack.payroll_database):
                client.execute(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        finally:
            client.disconnect()

    def version(self, ctx: Context) -> str:
        client = admin_client(ctx, self.tcp_port(ctx))
        try:
            return str(client.execute("SELECT version()")[0][0])
        finally:
            client.disconnect()
