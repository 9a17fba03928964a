"""``cckpi dashboards export DIR`` and ``cckpi dashboards push --url URL --token T``.

Export writes the dashboard JSON (what ``dashboards/generated`` holds, for file
provisioning or the Grafana import dialog); push creates or updates the
folder, the two datasources and the dashboards through Grafana's HTTP API.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from pipeline.cli.command_context import settings


@click.group()
def dashboards() -> None:
    """Grafana dashboards as code (see docs/alerts-and-dashboards.md)."""


@dashboards.command()
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
def export(out_dir: Path) -> None:
    """Write every dashboard as JSON into DIR (dashboards/generated is the committed copy)."""
    from pipeline.dashboards.json_files import write

    for path in write(settings(), out_dir):
        click.echo(f"wrote {path}")


@dashboards.command()
@click.option("--url", required=True, envvar="GRAFANA_URL", help="Grafana base URL, e.g. http://grafana:3000")
@click.option("--token", required=True, envvar="GRAFANA_TOKEN", help="service-account token (Editor or Admin)")
@click.option("--datasources/--no-datasources", default=True, show_default=True,
              help="also create/update the ClickHouse and Prometheus datasources")
@click.option("--clickhouse-host", default=None, help="ClickHouse host as Grafana reaches it (default: from "
              "CCKPI_WALLBOARD_STORE_URL)")
@click.option("--clickhouse-port", type=int, default=None, help="ClickHouse native port as Grafana reaches it")
@click.option("--prometheus-url", default=None, help="Prometheus URL as Grafana reaches it (default: "
              "CCKPI_PROMETHEUS_URL)")
def push(url: str, token: str, datasources: bool, clickhouse_host: str | None, clickhouse_port: int | None,
         prometheus_url: str | None) -> None:
    """Create or update the folder, datasources and dashboards in Grafana (idempotent)."""
    from pipeline.dashboards.json_files import build_all
    from pipeline.dashboards.push import ClickHouseTarget, PushError, clickhouse_datasource, connect
    from pipeline.dashboards.push import prometheus_datasource
    from pipeline.dashboards.push import push as run_push
    from pipeline.store.engines import StoreError
    from pipeline.store.store_url import parse_url

    config = settings()
    sources = []
    if datasources:
        if not config.wallboard_store_url or not config.prometheus_url and not prometheus_url:
            raise click.UsageError("datasources need CCKPI_WALLBOARD_STORE_URL (the read-only wallboard user) and "
                                   "CCKPI_PROMETHEUS_URL or --prometheus-url; or pass --no-datasources")
        try:
            store = parse_url(config.wallboard_store_url)
        except StoreError as exc:
            raise click.UsageError(str(exc)) from None
        if store.scheme != "clickhouse":
            raise click.UsageError("CCKPI_WALLBOARD_STORE_URL must be a clickhouse:// URL: Grafana cannot read chDB")
        password = os.environ.get("CCKPI_WALLBOARD_PASSWORD", store.password)
        target = ClickHouseTarget(clickhouse_host or store.host, clickhouse_port or store.port, store.user,
                                  password, store.database)
        sources = [clickhouse_datasource(target), prometheus_datasource(prometheus_url or str(config.prometheus_url))]
    try:
        for line in run_push(connect(url, token), list(build_all(config).values()), sources):
            click.echo(line)
    except PushError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot reach Grafana at {url}: {exc}") from None
