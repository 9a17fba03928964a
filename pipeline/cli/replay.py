"""``cckpi replay``: JSON Lines files into the store through the pipeline's chain."""

from __future__ import annotations

import os
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from pipeline.cli.common import default_dead_letter_path, open_store, settings, store_option

PROGRESS_FROM_BYTES = 4 * 1024 * 1024


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@store_option
@click.option("--dead-letter", "dead_letter", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="where rejected lines go, with their reason (default: beside the store)")
def replay(paths: tuple[str, ...], store_url: str | None, dead_letter: Path | None) -> None:
    """Validate, assemble and store the events of PATH... (.jsonl files, or - for stdin)."""
    from pipeline.ingest.batch import replay as run_replay
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.pseudonym_key import pseudonym_key

    config = settings(store_url=store_url)
    for path in paths:
        if path != "-" and not os.path.isfile(path):
            raise click.BadParameter(f"no file {path!r}", param_hint="PATH")
    target = dead_letter or default_dead_letter_path(config.store_url, config)
    total = sum(os.path.getsize(p) for p in paths if p != "-")
    console = Console(stderr=True)
    with open_store(config.store_url) as store:
        pseudonymise = pseudonymiser(pseudonym_key(config))
        if total >= PROGRESS_FROM_BYTES and console.is_terminal:
            columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
            with Progress(*columns, console=console) as progress:
                task = progress.add_task("replay", total=total)
                summary = run_replay(list(paths), store, config, pseudonymise, target,
                                     on_bytes=lambda n: progress.advance(task, n))
        else:
            summary = run_replay(list(paths), store, config, pseudonymise, target)
    counts = summary.counts
    table = Table(title="replay", show_header=False)
    for name, value in (("events read", counts.read), ("accepted", counts.accepted),
                        ("duplicates dropped", counts.duplicates), ("rejected", sum(counts.rejected.values())),
                        ("contacts", summary.contacts)):
        table.add_row(name, f"{value:,}")
    for reason, value in sorted(counts.rejected.items()):
        table.add_row(f"  rejected: {reason}", f"{value:,}")
    if summary.dead_letters:
        table.add_row("dead letters", str(summary.dead_letter_path))
    Console().print(table)
