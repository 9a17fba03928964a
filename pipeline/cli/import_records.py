"""``cckpi import``: convert other systems' records into contract events.

A group so that more record formats (an Asterisk queue_log, a vendor's CSV
export) can be added beside the first one without changing the command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson
from rich.console import Console
from rich.table import Table

from pipeline.importers.anonymous_bank import ImportSummary, convert

_SHOWN_MALFORMED = 20


@click.group(name="import")
def import_records() -> None:
    """Convert call records from other systems into contract events (JSON Lines)."""


@import_records.command(name="anonymous-bank")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_path", required=True, help="JSON Lines file to write; - for stdout")
def anonymous_bank(path: Path, out_path: str) -> None:
    """Technion "Anonymous Bank" call records (1999, tab-separated) -> events sorted by time.

    Conversion rules: see the docstring of pipeline.importers.anonymous_bank.
    """
    with path.open(encoding="ascii", errors="replace", newline="") as handle:
        events, summary = convert(handle)
    data = b"".join(orjson.dumps(event) + b"\n" for event in events)
    if out_path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(out_path).write_bytes(data)
    print_summary(summary, path, out_path)


def print_summary(summary: ImportSummary, path: Path, out_path: str) -> None:
    """Every record accounted for: converted by outcome, skipped by reason, oddities handled."""
    console = Console(stderr=True)
    console.print(f"{path}: {summary.records:,} records -> {sum(summary.contacts.values()):,} contacts, "
                  f"{summary.events:,} events -> {out_path}")
    table = Table()
    table.add_column("records")
    table.add_column("what happened")
    table.add_column("count", justify="right")
    for name, count in sorted(summary.contacts.items()):
        table.add_row(name, "converted", f"{count:,}")
    for name, count in sorted(summary.skipped.items()):
        table.add_row(name, "skipped", f"{count:,}")
    for name, count in sorted(summary.notes.items()):
        table.add_row(name, "converted, noted", f"{count:,}")
    console.print(table)
    for number, reason in summary.malformed[:_SHOWN_MALFORMED]:
        console.print(f"[yellow]line {number}: malformed: {reason}[/]")
    if len(summary.malformed) > _SHOWN_MALFORMED:
        console.print(f"[yellow]... and {len(summary.malformed) - _SHOWN_MALFORMED} more malformed lines[/]")
