"""``cckpi schemas export``: the contracts as files for people and deployment tools.

The package is the source: the event contract as JSON Schema (generated from
the msgspec models) and the ClickHouse migrations (shipped in
``pipeline/store/migrations``).  The repository's ``schemas/`` folder is this
command's output, and a test fails when it is stale.
"""

from __future__ import annotations

import json
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from pipeline.core.events import json_schemas
from pipeline.store.migrations import PAYROLL_MIGRATIONS, WALLBOARD_MIGRATIONS


@click.group()
def schemas() -> None:
    """The event contract (JSON Schema, one file per event type) and the ClickHouse migrations."""


@schemas.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"))
def export(directory: Path) -> None:
    """Write events/<type>.v1.json and clickhouse/NNNN_name.sql into DIRECTORY (default ./schemas)."""
    written = write_all(directory)
    click.echo(f"wrote {written} files to {directory}")


def write_all(directory: Path) -> int:
    """Every contract file under ``directory``; returns how many were written."""
    events = directory / "events"
    events.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (events / f"{name}.v1.json").write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    copied = _copy_sql(WALLBOARD_MIGRATIONS, directory / "clickhouse")
    copied += _copy_sql(PAYROLL_MIGRATIONS, directory / "clickhouse" / "payroll")
    return len(json_schemas()) + copied


def _copy_sql(source: Traversable, target: Path) -> int:
    target.mkdir(parents=True, exist_ok=True)
    files = [f for f in source.iterdir() if f.name.endswith(".sql")]
    for stale in target.glob("*.sql"):
        if stale.name not in {f.name for f in files}:
            stale.unlink()
    for file in files:
        (target / file.name).write_text(file.read_text())
    return len(files)
