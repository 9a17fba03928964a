"""``cckpi schemas export``: the event contract as JSON Schema files, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipeline.core.events import json_schemas

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "schemas" / "events"


@click.group()
def schemas() -> None:
    """The event contract (JSON Schema, one file per event type)."""


@schemas.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DIR)
def export(directory: Path) -> None:
    """Write one <type>.v1.json per event type into DIRECTORY."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in json_schemas().items():
        (directory / f"{name}.v1.json").write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    click.echo(f"wrote {len(json_schemas())} schemas to {directory}")
