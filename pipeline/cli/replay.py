"""``cckpi replay``: JSON Lines files into the store through the pipeline's chain."""

from __future__ import annotations

import os
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from pipeline.cli.command_context import default_dead_letter_path, open_store, settings, store_option

PROGRESS_FROM_BYTES = 4 * 1024 * 1024


# sysexits' EX_DATAERR: the command ran, but some input was bad (--strict)
EXIT_REJECTED = 65


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@store_option
@click.option("--dead-letter", "dead_letter", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="where rejected lines go, with their reason (default: beside the store)")
@click.option("--strict", is_flag=True,
              help=f"exit {EXIT_REJECTED} when any line was rejected or conflicted (default: exit 0, counts in the summary)")
def replay(paths: tuple[str, ...], store_url: str | None, dead_letter: Path | None, strict: bool) -> None:
    """Validate, assemble and store the events of PATH... (.jsonl or .jsonl.gz files, or - for stdin)."""
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.ingest.batch import ReplayInputError
    from pipeline.ingest.batch import replay as run_replay
    from pipeline.ingest.dead_letter import DeadLetterError, check_writable
    from pipeline.pseudonym_key import pseudonym_key

    config = settings(store_url=store_url)
    for path in paths:
        if path != "-" and not os.path.isfile(path):
            raise click.BadParameter(f"no file {path!r}", param_hint="PATH")
    target = dead_letter or default_dead_letter_path(config.store_url, config)
    try:
        check_writable(target)  # before the store is touched, not after the data was processed
    except DeadLetterError as exc:
        raise click.ClickException(str(exc)) from None
    total = sum(os.path.getsize(p) for p in paths if p != "-")
    console = Console(stderr=True)
    with open_store(config.store_url) as store:
        pseudonymise = pseudonymiser(pseudonym_key(config))
        try:
            if total >= PROGRESS_FROM_BYTES and console.is_terminal:
                columns = (BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
                with Progress(*columns, console=console) as progress:
                    task = progress.add_task("replay", total=total)
                    summary = run_replay(list(paths), store, config, pseudonymise, target,
                                         on_bytes=lambda n: progress.advance(task, n))
            else:
                summary = run_replay(list(paths), store, config, pseudonymise, target)
        except (ReplayInputError, DeadLetterError) as exc:
            raise click.ClickException(str(exc)) from None
    counts = summary.counts
    table = Table(title="replay", show_header=False)
    for name, value in (("events read", counts.read), ("accepted", counts.accepted),
                        ("duplicates dropped", counts.duplicates),
                        ("conflicting duplicates", counts.conflicting_duplicates),
                        ("rejected", sum(counts.rejected.values())), ("contacts", summary.contacts)):
        table.add_row(name, f"{value:,}")
    for reason, value in sorted(counts.rejected.items()):
        table.add_row(f"  rejected: {reason}", f"{value:,}")
    if summary.dead_letters:
        table.add_row("dead letters", str(summary.dead_letter_path))
    Console().print(table)
    empty = [path for path, lines in summary.lines_by_path.items() if not lines]
    if not counts.read:
        raise click.ClickException(f"no events in {', '.join(paths)}: the input is empty (or only blank lines); "
                                   "nothing was stored; check the file name or the command that wrote it")
    if empty:
        click.echo(f"Note: no events in {', '.join(empty)} (empty or only blank lines)", err=True)
    bad = sum(counts.rejected.values()) + counts.conflicting_duplicates
    if strict and bad:
        click.echo(f"Error: {bad:,} line(s) rejected or conflicting (--strict); the reasons are in "
                   f"{summary.dead_letter_path}", err=True)
        raise SystemExit(EXIT_REJECTED)
