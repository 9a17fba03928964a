"""``cckpi payroll rollup|export|late`` (and close|reopen|history|adjustments|inputs): monthly pay.

The commands only wire files and stores to ``pipeline.payroll``; a closed
month is always shown and exported from its frozen rows.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from pipeline.cli.common import open_store, settings, store_option
from pipeline.cli.payroll_close import adjustments, close, history, inputs_command, lines_command, reopen
from pipeline.cli.payroll_review import review
from pipeline.cli.payroll_common import (
    Inputs, console, friendly, iso, month_option, month_options, payroll_store_option, print_lines, print_sheet,
    salary_total_option,
)


@click.group()
def payroll() -> None:
    """Monthly per-agent scorecards and bonus amounts (policy file + roster), closed months."""


for command in (close, reopen, history, adjustments, inputs_command, lines_command, review):
    payroll.add_command(command)


@payroll.command()
def policies() -> None:
    """List the shipped policies (give one by name: --policy NAME) and the document each reads."""
    from rich.table import Table

    from pipeline.payroll.policies import listing

    table = Table(title="shipped pay policies (--policy NAME; copy one and give its path to change it)")
    table.add_column("name")
    table.add_column("source document")
    for name, source in listing():
        table.add_row(name, source)
    console().print(table)


@payroll.command()
@month_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@salary_total_option
@friendly
def rollup(month: Any, policy_path: str, policy_for: tuple[str, ...], roster_path: Path | None,
           store_url: str | None, payroll_store_url: str | None, fmt: str, salary_total: Decimal | None) -> None:
    """Print the month's scorecards (the frozen ones when the month is closed)."""
    import json

    from pipeline.payroll.month_sheet import month_sheet

    inputs = Inputs(policy_path, roster_path, store_url, payroll_store_url, policy_for=policy_for)
    with inputs.stores() as (store, payroll_store):
        sheet = month_sheet(store, payroll_store, month, inputs.config, inputs.roster, inputs.policy,
                            inputs.policy_text, salary_total, inputs.seat_policies)
    if fmt == "json":
        click.echo(json.dumps({"month": str(month), "closed": sheet.closed, "rows": sheet.rows,
                               "totals": dict(sheet.totals), "adjustments": sheet.adjustments},
                              indent=1, default=str, ensure_ascii=False))
        return
    state = f"closed (checksum {sheet.meta.checksum[:12]})" if sheet.closed else "open: figures may still change"
    print_sheet(f"payroll {month} ({sheet.meta.tz}, policy {sheet.meta.policy_name}, {state})", sheet.rows,
                sheet.totals, sheet.lang)
    if sheet.adjustments:
        print_lines("corrections of earlier months " + ("carried" if sheet.closed else "closing would carry"),
                    sheet.adjustments)
    if sheet.meta.not_in_roster:
        console().print(f"[yellow]warning: not in the roster (paid 0): {', '.join(sheet.meta.not_in_roster)}[/]")


def output_format(out_path: Path, fmt: str | None) -> str:
    """csv or xlsx from the --out suffix, which must agree with --format: never a CSV in disguise."""
    from pipeline.payroll.month_sheet import FORMATS

    suffix = out_path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise click.UsageError(f"--out {out_path}: unknown extension {out_path.suffix or '(none)'!r}; "
                               f"name the file .csv or .xlsx")
    if fmt is not None and fmt != suffix:
        raise click.UsageError(f"--out {out_path} is .{suffix} but --format is {fmt}; make them agree")
    return suffix


def check_writable(out_path: Path) -> None:
    """Fail before computing anything when the file cannot be written."""
    folder = out_path.parent if str(out_path.parent) else Path(".")
    if not folder.is_dir():
        raise click.ClickException(f"--out {out_path}: folder {folder} does not exist; create it or choose another")
    if not os.access(folder, os.W_OK) or (out_path.exists() and not os.access(out_path, os.W_OK)):
        raise click.ClickException(f"--out {out_path}: not writable (permission denied); choose another path")


@payroll.command()
@month_options
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="default: from the --out suffix (.csv or .xlsx)")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--by-team", is_flag=True, help="XLSX: one more sheet per team")
@salary_total_option
@friendly
def export(month: Any, policy_path: str, policy_for: tuple[str, ...], roster_path: Path | None,
           store_url: str | None, payroll_store_url: str | None, fmt: str | None, out_path: Path, by_team: bool,
           salary_total: Decimal | None) -> None:
    """Write one row per agent (name, team, tier, amount, reasons, every figure) as CSV or XLSX."""
    from pipeline.payroll.month_sheet import month_sheet

    fmt = output_format(out_path, fmt)
    check_writable(out_path)
    inputs = Inputs(policy_path, roster_path, store_url, payroll_store_url, policy_for=policy_for)
    with inputs.stores() as (store, payroll_store):
        sheet = month_sheet(store, payroll_store, month, inputs.config, inputs.roster, inputs.policy,
                            inputs.policy_text, salary_total, inputs.seat_policies)
    try:
        out_path.write_bytes(sheet.export(fmt, by_team=by_team))
    except OSError as exc:
        raise click.ClickException(f"--out {out_path}: cannot write it ({exc.strerror}); choose another path") \
            from None
    state = "closed month, frozen rows" if sheet.closed else "open month: not final until `payroll close`"
    click.echo(f"wrote {len(sheet.rows)} agents to {out_path} ({fmt}, {state})", err=True)


@payroll.command()
@month_option
@store_option
@payroll_store_option
@friendly
def late(month: Any, store_url: str | None, payroll_store_url: str | None) -> None:
    """List events of a closed month ingested after it was closed (they are not applied)."""
    from rich.table import Table

    from pipeline.payroll.closing import find_closed, late_events, open_payroll_store, payroll_url

    config = settings(store_url=store_url, payroll_store_url=payroll_store_url)
    with open_store(config.store_url) as store:
        payroll_store = open_payroll_store(payroll_url(config, config.store_url))
        closed = find_closed(payroll_store, month)
        if closed is None:
            raise click.ClickException(f"{month} is not closed; late events only exist for a closed month")
        events = late_events(store, closed)
    if not events:
        console().print(f"no late events for {month} (closed at {iso(closed.closed_ms)})")
        return
    table = Table(title=f"{len(events)} late events for {month}: not in the closed payroll "
                        f"(`payroll adjustments --month {month}` shows what they change)")
    for name in ("event_id", "type", "ts", "agent_id", "contact_id", "ingested"):
        table.add_column(name)
    for item in events:
        table.add_row(item["event_id"], item["type"], iso(item["ts_ms"]), item["agent_id"], item["contact_id"],
                      iso(item["first_ingested_ms"]))
    console().print(table)
