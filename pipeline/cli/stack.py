"""``cckpi stack up|down|status|logs|env``: the local stack of real services.

Problems the user can fix (a taken port, a service that does not start, a bad
setting) end as one ``error:`` line, never as a traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline.settings import Settings, SettingsError, load_settings
from pipeline.stack import manager, process
from pipeline.stack.errors import StackError
from pipeline.stack.stack_info import env_exports, exports, stack_info

F = TypeVar("F", bound=Callable[..., Any])


def _friendly(func: F) -> F:
    """Turn StackError (exit 1) and SettingsError (exit 2) into one ``error: ...`` line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SettingsError as exc:  # same exit code as pipeline.cli.main gives a bad setting
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except StackError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _settings() -> Settings:
    return load_settings()


cluster_option = click.option(
    "--cluster", is_flag=True,
    help="the several-node stack (3 Kafka, 2 ClickHouse replicas, ZooKeeper; .stack-cluster/, 29xxx ports)")


@click.group()
def stack() -> None:
    """Start and stop Kafka, ClickHouse, Prometheus and Alertmanager on loopback (data in .stack/)."""


@stack.command()
@cluster_option
@_friendly
def up(cluster: bool) -> None:
    """Install what is missing, start what is not running, wait until each service answers."""
    manager.up(_settings(), click.echo, cluster=cluster)


@stack.command()
@cluster_option
@_friendly
def down(cluster: bool) -> None:
    """Stop the services this stack folder started (by their pid files)."""
    manager.down(_settings(), click.echo, cluster=cluster)


@stack.command()
@cluster_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: a list of {name, pid, port} (pid null when not running)")
@_friendly
def status(cluster: bool, fmt: str) -> None:
    """Say which services run; exit 3 when some do not."""
    items = manager.status(_settings(), cluster=cluster)
    if fmt == "json":
        click.echo(json.dumps([{"name": i.name, "pid": i.pid, "port": i.port} for i in items]))
    for item in items if fmt == "text" else ():
        state = f"running (pid {item.pid}) on {item.listens}" if item.pid else "not running"
        click.echo(f"{item.name}: {state}")
    if any(item.pid is None for item in items):
        sys.exit(3)


@stack.command()
@click.argument("service", required=False)
@click.option("-n", "--lines", default=40, show_default=True, type=click.IntRange(min=1), help="lines per log")
@cluster_option
@_friendly
def logs(service: str | None, lines: int, cluster: bool) -> None:
    """Print the last lines of a service's log (every service's without SERVICE)."""
    settings = _settings()
    items = manager.status(settings, cluster=cluster)
    if service is not None and service not in [item.name for item in items]:
        raise click.BadParameter(f"{service!r}: choose from {', '.join(item.name for item in items)}",
                                 param_hint="SERVICE")
    for item in items:
        if service in (None, item.name):
            click.echo(f"==> {item.log} <==")
            for line in process.tail(Path(item.log), lines):
                click.echo(line)


@stack.command()
@cluster_option
@_friendly
def env(cluster: bool) -> None:
    """Print shell exports for the running stack: eval "$(cckpi stack env)"."""
    settings = _settings()
    down_services = [item.name for item in manager.status(settings, cluster=cluster) if item.pid is None]
    if down_services:
        again = "cckpi stack up --cluster" if cluster else "cckpi stack up"
        click.echo(f"warning: not running: {', '.join(down_services)} (run `{again}`)", err=True)
    if cluster:
        from pipeline.stack.cluster.cluster_info import cluster_info

        click.echo(exports(cluster_info(settings).env()), nl=False)
    else:
        click.echo(env_exports(stack_info(settings)), nl=False)
