"""``cckpi alerts render``: Prometheus rule files from the per-queue targets in the settings.

The rule files are generated, never edited by hand, so a queue's target lives
only in the settings (``[queues.<name>]`` in the TOML file).
"""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.command_context import settings

DEFAULT_OUT = Path("deploy/prometheus/rules")


@click.group()
def alerts() -> None:
    """Alert rules for Prometheus (see docs/alerts-and-dashboards.md)."""


@alerts.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
              show_default=True, help="folder for the rule files (Prometheus loads rules/*.yml there)")
@click.option("--tz", default=None, help="centre's time zone of the opening hours (default: CCKPI_TZ)")
def render(out_dir: Path, tz: str | None) -> None:
    """Write the queue and pipeline rule files into --out."""
    from pipeline.alerts.rules import write

    for path in write(settings(tz=tz), out_dir):
        click.echo(f"wrote {path}")
