"""``cckpi alerts render``: Prometheus rule files from the per-queue targets in the settings;
``cckpi alerts outbox``: what the alert relay has not delivered yet.

The rule files are generated, never edited by hand, so a queue's target lives
only in the settings (``[queues.<name>]`` in the TOML file).
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.common import settings

DEFAULT_OUT = Path("deploy/prometheus/rules")


@click.group()
def alerts() -> None:
    """Alert rules for Prometheus and the relay's outbox (see docs/alerts-and-dashboards.md)."""


@alerts.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
              show_default=True, help="folder for the rule files (Prometheus loads rules/*.yml there)")
@click.option("--tz", default=None, help="centre's time zone of the opening hours (default: CCKPI_TZ)")
def render(out_dir: Path, tz: str | None) -> None:
    """Write the queue and pipeline rule files into --out."""
    from pipeline.alerts.rules import write

    for path in write(settings(tz=tz), out_dir):
        click.echo(f"wrote {path}")


@alerts.command()
def outbox() -> None:
    """What the alert relay of `cckpi serve` has not delivered yet: per message its robot, tries and last error."""
    from urllib.parse import urlsplit

    from rich.console import Console
    from rich.table import Table

    from pipeline.alerts.relay.outbox import Outbox
    from pipeline.alerts.relay.sender import robot_key
    from pipeline.alerts.relay.service import SPOOL_NAME

    config = settings()
    path = config.alerts.relay_spool or config.data_dir / SPOOL_NAME
    if not path.exists():
        click.echo(f"no relay outbox at {path}: `cckpi serve` has taken no alert with these settings")
        return
    names = {robot_key(r): f"{r.kind} {urlsplit(r.url).hostname}" for r in config.alerts.robots}  # never the key
    box = Outbox(path)
    try:
        waiting = box.waiting()
    finally:
        box.close()
    table = Table("robot", "tries", "last error")
    for robot, attempts, error in waiting:
        table.add_row(names.get(robot, f"{robot} (no longer configured)"), str(attempts), error or "-")
    if waiting:
        Console().print(table)
    click.echo(f"{len(waiting)} undelivered messages in {path}")
