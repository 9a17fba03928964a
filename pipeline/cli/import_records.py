"""``cckpi import``: convert other systems' records into contract events.

One sub-command per source format; each writes JSON Lines for ``cckpi
replay`` (or ``cckpi produce``), sends lines it cannot map to a dead-letter
file with their line number and reason, and prints a summary that accounts
for every line.  The exit status is 0 unless no line at all could be read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click
import orjson
from rich.console import Console
from rich.table import Table

from pipeline.core.intake import DeadLetter
from pipeline.importers.anonymous_bank import ImportSummary, convert

_SHOWN_MALFORMED = 20


@click.group(name="import")
def import_records() -> None:
    """Convert call records from other systems into contract events (JSON Lines) for `cckpi replay`."""


_out_option = click.option("--out", "out_path", required=True, help="JSON Lines file to write; - for stdout")
_dead_letter_option = click.option(
    "--dead-letter", "dead_letter", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="where lines that cannot be mapped go, with line number and reason (default: OUT.dead-letters.jsonl)")
_paths_argument = click.argument("paths", nargs=-1, required=True, metavar="PATH...",
                                 type=click.Path(exists=True, dir_okay=False, path_type=Path))


@contextmanager
def _events_out(out_path: str) -> Iterator[IO[bytes]]:
    if out_path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
    else:
        with open(out_path, "wb") as handle:
            yield handle


def _write_events(events: Iterable[dict[str, Any]], out_path: str) -> int:
    """Stream the events out as JSON Lines; returns how many."""
    count = 0
    with _events_out(out_path) as handle:
        for event in events:
            handle.write(orjson.dumps(event) + b"\n")
            count += 1
    return count


def _dead_letter_path(dead_letter: Path | None, out_path: str) -> Path:
    if dead_letter is not None:
        return dead_letter
    return Path("cckpi-import.dead-letters.jsonl" if out_path == "-" else f"{out_path}.dead-letters.jsonl")


def _summary_table(title: str, rows: Iterable[tuple[str, str, int]]) -> Table:
    table = Table(title=title)
    for name in ("what", "what happened", "count"):
        table.add_column(name, justify="right" if name == "count" else "left")
    for what, how, count in rows:
        table.add_row(what, how, f"{count:,}")
    return table


def _pseudonymiser() -> Callable[[str], str]:
    """The pipeline's keyed hash: dead letters hold a customer's pseudonym, never their number."""
    from pipeline.cli.command_context import settings as load
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.pseudonym_key import pseudonym_key

    return pseudonymiser(pseudonym_key(load()))


def _finish(console: Console, letters: list[DeadLetter], target: Path, read_any: bool) -> None:
    """Dead letters to their file (shown in part), and exit 1 only when no line could be read at all."""
    from pipeline.ingest import dead_letter

    if letters:
        target.unlink(missing_ok=True)
        dead_letter.append(target, letters)
        for letter in letters[:_SHOWN_MALFORMED]:
            console.print(f"[yellow]{letter.source}: {letter.reason}: {letter.detail}[/]")
        if len(letters) > _SHOWN_MALFORMED:
            console.print(f"[yellow]... and {len(letters) - _SHOWN_MALFORMED} more[/]")
        console.print(f"{len(letters):,} dead letters -> {target}")
    if not read_any:
        console.print("[red]error: no line could be read; check the file format (see docs/importers.md)[/]")
        sys.exit(1)


@import_records.command(name="asterisk-queue-log",
                        short_help="Asterisk / FreePBX / Issabel queue_log files (plain or .gz).")
@_paths_argument
@_out_option
@_dead_letter_option
def asterisk_queue_log(paths: tuple[Path, ...], out_path: str, dead_letter: Path | None) -> None:
    """Asterisk queue_log files (epoch|callid|queue|agent|EVENT|data..., plain or .gz) -> events.

    Give rotated files oldest first (queue_log.1 queue_log): calls still open
    at the end of one file carry on into the next.  Mapping rules: see
    docs/importers.md and pipeline.importers.asterisk_queue_log.
    """
    from pipeline.importers.asterisk_queue_log import QueueLogMapper
    from pipeline.importers.queue_log_fast import write_queue_log
    from pipeline.importers.queue_log_import import summary_rows

    letters: list[DeadLetter] = []
    mapper = QueueLogMapper()
    with _events_out(out_path) as handle:  # the block-at-a-time path; import_queue_log is its reference
        written = write_queue_log(list(paths), letters.append, mapper, handle, pseudonymise=_pseudonymiser())
    summary = mapper.finish()
    console = Console(stderr=True)
    console.print(f"{len(paths)} file(s): {summary.lines:,} lines -> {written:,} events -> {out_path}")
    console.print(_summary_table("queue_log import", summary_rows(summary)))
    console.print("queue_log has no after-call work: each call's wrap-up is at its end (ACW 0), "
                  "so AHT = talk + hold.")
    _finish(console, letters, _dead_letter_path(dead_letter, out_path), summary.read_any)


@import_records.command(name="amazon-connect-ctr", short_help="Amazon Connect contact records (JSON, plain or .gz).")
@_paths_argument
@_out_option
@_dead_letter_option
def amazon_connect_ctr(paths: tuple[Path, ...], out_path: str, dead_letter: Path | None) -> None:
    """Amazon Connect contact records (JSON Lines, a JSON array, one object per file, or back-to-back objects as
    Kinesis Firehose writes them; plain or .gz) -> events.

    Records are delivered at least once: one per ContactId is kept across all
    PATHs, the newest LastUpdateTimestamp.  Mapping rules: see docs/importers.md
    and pipeline.importers.amazon_connect.
    """
    from pipeline.importers.ctr_import import import_ctr, summary_rows

    letters: list[DeadLetter] = []
    events, summary = import_ctr(list(paths), letters.append, pseudonymise=_pseudonymiser())
    written = _write_events(events, out_path)
    console = Console(stderr=True)
    console.print(f"{len(paths)} file(s): {summary.records:,} records -> {written:,} events -> {out_path}")
    console.print(_summary_table("contact record import", summary_rows(summary)))
    _finish(console, letters, _dead_letter_path(dead_letter, out_path), summary.records > 0)


@import_records.command(name="freeswitch-cdr", short_help="FreeSWITCH mod_json_cdr / mod_cdr_csv records of "
                                                         "mod_callcenter calls.")
@_paths_argument
@_out_option
@_dead_letter_option
@click.option("--agent-list", "agent_list", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="saved output of `fs_cli -x 'callcenter_config agent list'`: each agent's "
                                 "wrap_up_time (without it wrap-up is 0)")
def freeswitch_cdr(paths: tuple[Path, ...], out_path: str, dead_letter: Path | None, agent_list: Path | None) -> None:
    """FreeSWITCH CDRs (mod_json_cdr .json, mod_cdr_csv .csv with a header row) of mod_callcenter queue calls
    -> events: member legs only (cc_side=member), one contact per cc_member_uuid.

    Mapping rules: see docs/importers.md and pipeline.importers.freeswitch_callcenter.
    """
    from pipeline.importers.freeswitch_callcenter import BadEvent, CallcenterSummary, parse_agent_list
    from pipeline.importers.freeswitch_cdr import summary_rows
    from pipeline.importers.freeswitch_cdr_fast import write_freeswitch_cdr

    wrap_up_s: dict[str, int] = {}
    if agent_list is not None:
        try:
            wrap_up_s, _ = parse_agent_list(agent_list.read_text(encoding="utf-8"))
        except BadEvent as exc:
            raise click.BadParameter(f"{agent_list}: {exc.detail}", param_hint="--agent-list") from None
    letters: list[DeadLetter] = []
    summary = CallcenterSummary()
    with _events_out(out_path) as handle:  # CSV rows at a time; import_freeswitch_cdr is its reference
        written = write_freeswitch_cdr(list(paths), wrap_up_s, letters.append, summary, handle,
                                       pseudonymise=_pseudonymiser())
    console = Console(stderr=True)
    console.print(f"{len(paths)} file(s) -> {written:,} events -> {out_path}")
    console.print(_summary_table("FreeSWITCH CDR import", summary_rows(summary)))
    if agent_list is None:
        console.print("no --agent-list: wrap-up is 0 for every agent (AHT = talk + hold).")
    _finish(console, letters, _dead_letter_path(dead_letter, out_path),
            bool(summary.events or summary.skipped))


def _import_sheet(kind: str, path: Path, out_path: str, dead_letter: Path | None, csat_scale: str = "1-5") -> None:
    """A QA sheet, survey or complaint export (CSV or XLSX) -> events; the mapping is docs/importers.md's."""
    from pipeline.cli.command_context import settings as load
    from pipeline.core.pseudonym import pseudonymiser
    from pipeline.importers.feedback import SheetSummary, convert
    from pipeline.importers.sheet_rows import SheetError, read_rows
    from pipeline.pseudonym_key import pseudonym_key

    settings = load()
    letters: list[DeadLetter] = []
    summary = SheetSummary()
    try:
        events = list(convert(kind, read_rows(path), settings.zone, pseudonymiser(pseudonym_key(settings)),
                              letters.append, summary, csat_scale))
    except SheetError as exc:
        raise click.ClickException(str(exc)) from None
    written = _write_events(events, out_path)
    console = Console(stderr=True)
    console.print(f"{path}: {summary.rows:,} rows -> {written:,} events -> {out_path}")
    console.print(_summary_table(f"{kind} import", [*((t, "written", n) for t, n in sorted(summary.events.items())),
                                                    *((r, "dead letter", n) for r, n in sorted(summary.dead.items()))]))
    if summary.ignored_columns:
        console.print(f"columns not mapped (ignored): {', '.join(summary.ignored_columns)}")
    _finish(console, letters, _dead_letter_path(dead_letter, out_path), summary.rows > 0)


_sheet_argument = click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))


@import_records.command(name="qa-sheet", short_help="QA evaluations from a CSV or XLSX sheet.")
@_sheet_argument
@_out_option
@_dead_letter_option
def qa_sheet(path: Path, out_path: str, dead_letter: Path | None) -> None:
    """QA evaluation sheet (CSV or XLSX) -> qa.evaluated events; columns: docs/importers.md."""
    _import_sheet("qa-sheet", path, out_path, dead_letter)


@import_records.command(name="surveys", short_help="CSAT / NPS survey answers from a CSV or XLSX sheet.")
@_sheet_argument
@_out_option
@_dead_letter_option
@click.option("--csat-scale", type=click.Choice(["1-5", "0-100", "3-option"]), default="1-5", show_default=True,
              help="scale of a csat cell when the row has no csat_scale column (words 满意/一般/不满意: 3-option)")
def surveys(path: Path, out_path: str, dead_letter: Path | None, csat_scale: str) -> None:
    """Survey answers (CSV or XLSX) -> survey.csat and survey.nps events; columns: docs/importers.md."""
    _import_sheet("surveys", path, out_path, dead_letter, csat_scale)


@import_records.command(name="complaints", short_help="Complaints from a CSV or XLSX sheet.")
@_sheet_argument
@_out_option
@_dead_letter_option
def complaints(path: Path, out_path: str, dead_letter: Path | None) -> None:
    """Complaint register (CSV or XLSX) -> complaint.filed events; columns: docs/importers.md."""
    _import_sheet("complaints", path, out_path, dead_letter)


@import_records.command(name="anonymous-bank", short_help='Technion "Anonymous Bank" call records (1999).')
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
