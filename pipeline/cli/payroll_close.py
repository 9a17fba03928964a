"""``cckpi payroll close|reopen|history|adjustments``: the guarded, reversible, audited month end."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from rich.table import Table

from pipeline.cli.command_context import settings, store_option
from pipeline.cli.payroll_common import (
    Inputs, console, friendly, iso, month_option, month_options, open_stores, payroll_store_option, print_lines,
    print_sheet, salary_total_option,
)

by_option = click.option("--by", "who", metavar="NAME", default=None,
                         help="who does it, for the audit trail (default: the OS user)")


@click.command()
@month_options
@by_option
@click.option("--dry-run", is_flag=True, help="print what would be frozen and the totals; write nothing")
@salary_total_option
@click.pass_context
@friendly
def close(ctx: click.Context, month: Any, policy_path: str, policy_for: tuple[str, ...], roster_path: Path | None,
          store_url: str | None, payroll_store_url: str | None, who: str | None, dry_run: bool,
          salary_total: Decimal | None) -> None:
    """Freeze the month's scorecards (and corrections of earlier months) as a new audited version.

    Refused without a roster, before the month has ended in the centre's zone
    plus the grace period (setting payroll.close_grace_days), and with the
    example policy unless --policy names it.
    """
    from pipeline.payroll.audit import who_default
    from pipeline.payroll.closing import close_month, refuse_if_closed
    from pipeline.payroll.guards import close_refusal
    from pipeline.payroll.month_sheet import from_inputs, gather

    inputs = Inputs(policy_path, roster_path, store_url, payroll_store_url, warn_no_roster=False,
                    policy_for=policy_for)
    implicit = ctx.get_parameter_source("policy_path") == ParameterSource.DEFAULT
    refusal = close_refusal(month, inputs.config.zone, inputs.config.payroll.close_grace_days,
                            int(time.time() * 1000), inputs.roster if inputs.has_roster else None, implicit,
                            inputs.policy.department is not None and salary_total is None)
    if refusal:
        raise click.ClickException(refusal)
    with inputs.stores() as (store, payroll_store):
        refuse_if_closed(payroll_store, month)  # before the rollup's work
        request = gather(store, payroll_store, month, inputs.config, inputs.roster, inputs.roster_text,
                         inputs.policy, inputs.policy_text, salary_total, inputs.roster_format,
                         inputs.seat_policies)
        if dry_run:
            sheet = from_inputs(request, inputs.config)
            print_sheet(f"dry run: closing {month} would freeze {len(sheet.rows)} agents (policy "
                        f"{inputs.policy.name})", sheet.rows, sheet.totals, sheet.lang)
            if sheet.adjustments:
                print_lines(f"corrections of earlier months closing {month} would carry", sheet.adjustments)
            click.echo(f"dry run: nothing written; `payroll close --month {month}` freezes these figures")
            return
        closed = close_month(payroll_store, store.db, request, who or who_default())
    click.echo(f"closed {month} at {iso(closed.closed_ms)}: {len(closed.rows)} agents, "
               f"{len(closed.adjustments)} adjustment lines, checksum {closed.checksum}")
    if closed.meta["not_in_roster"]:
        click.echo(f"warning: not in the roster (paid 0): {', '.join(closed.meta['not_in_roster'])}", err=True)


@click.command()
@month_option
@click.option("--reason", required=True, help="why the closed month is reopened (kept in the audit trail)")
@by_option
@store_option
@payroll_store_option
@friendly
def reopen(month: Any, reason: str, who: str | None, store_url: str | None, payroll_store_url: str | None) -> None:
    """Open a closed month again; its closed versions stay in the history."""
    from pipeline.payroll.audit import who_default
    from pipeline.payroll.closing import reopen_month

    config = settings(store_url=store_url, payroll_store_url=payroll_store_url)
    with open_stores(config) as (_, payroll_store):
        version = reopen_month(payroll_store, month, reason, who or who_default())
    click.echo(f"reopened {month} (version {version.version}, by {version.who}): close it again with "
               f"`payroll close --month {month}`")


@click.command()
@month_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@store_option
@payroll_store_option
@friendly
def history(month: Any, fmt: str, store_url: str | None, payroll_store_url: str | None) -> None:
    """Every close and reopen of the month: who, when, why, checksums, totals."""
    from dataclasses import asdict

    from pipeline.payroll.audit import versions

    config = settings(store_url=store_url, payroll_store_url=payroll_store_url)
    with open_stores(config) as (_, payroll_store):
        found = versions(payroll_store, month)
    if fmt == "json":
        click.echo(json.dumps([asdict(v) for v in found], indent=1, ensure_ascii=False))
        return
    if not found:
        console().print(f"{month} has never been closed")
        return
    table = Table(title=f"payroll {month}: {len(found)} versions")
    for name in ("version", "action", "at (UTC)", "who", "reason", "policy", "policy sha256", "roster sha256",
                 "inputs sha256", "agents", "bonus", "adjustments", "payable"):
        table.add_column(name)
    for v in found:
        t = v.totals
        table.add_row(str(v.version), v.action, iso(v.at_ms), v.who, v.reason or "-", v.policy_name,
                      v.policy_sha256[:12], v.roster_sha256[:12], v.inputs_sha256[:12], str(t.get("agents", "")),
                      str(t.get("bonus_total", "")), str(t.get("adjustments_total", "")),
                      str(t.get("payable_total", "")))
    console().print(table)


@click.command()
@month_option
@store_option
@payroll_store_option
@friendly
def adjustments(month: Any, store_url: str | None, payroll_store_url: str | None) -> None:
    """Per agent: the closed amount, what the month's data gives now, and the correction still to carry."""
    from pipeline.payroll.adjustments import corrections
    from pipeline.payroll.closing import find_closed

    config = settings(store_url=store_url, payroll_store_url=payroll_store_url)
    with open_stores(config) as (store, payroll_store):
        closed = find_closed(payroll_store, month)
        if closed is None:
            raise click.ClickException(f"{month} is not closed; corrections are only computed for a closed month")
        lines = corrections(store, payroll_store, closed, config)
    if not lines:
        console().print(f"no corrections: the closed amounts of {month} still hold")
        return
    print_lines(f"corrections of {month}: the next close carries the amount column", [line.as_json() for line in lines])


@click.command("inputs")
@month_options
@by_option
@click.argument("csv_path", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@friendly
def inputs_command(month: Any, policy_path: str, policy_for: tuple[str, ...], roster_path: Path | None,
                   store_url: str | None, payroll_store_url: str | None, who: str | None, csv_path: Path) -> None:
    """Import the supervisor inputs of the month (attitude, teamwork, breaches, errors, callbacks, tickets).

    FILE is a CSV with agent_id plus any of the input columns (the policy's
    declared inputs when it declares them, with a date column when they are
    per day); every agent must be in --roster and every value within its
    range. Each import is a new version (`payroll history`).
    """
    from pipeline.payroll.audit import who_default
    from pipeline.payroll.closing import sha256
    from pipeline.payroll.inputs import parse_inputs, policy_key, save_inputs

    inputs, text = _month_file("inputs", csv_path, roster_path, policy_path, store_url, payroll_store_url, policy_for)
    parsed = parse_inputs(text, str(csv_path), inputs.roster, inputs.policy, month)
    with open_stores(inputs.config) as (_, payroll_store):
        version = save_inputs(payroll_store, month, text, csv_path.name, who or who_default(), sha256(text),
                              len(parsed), policy=policy_key(inputs.policy))
    click.echo(f"imported supervisor inputs of {len(parsed)} agents for {month} (version {version})")


@click.command("lines")
@month_options
@by_option
@click.argument("csv_path", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@friendly
def lines_command(month: Any, policy_path: str, policy_for: tuple[str, ...], roster_path: Path | None,
                  store_url: str | None, payroll_store_url: str | None, who: str | None, csv_path: Path) -> None:
    """Import the month's penalty deductions and manual bonus lines (agent_id,kind,amount,reason).

    kind is penalty or bonus, amount > 0, every line has its reason; each
    import is a new version (`payroll history`), frozen by the close.
    """
    from pipeline.payroll.audit import who_default
    from pipeline.payroll.closing import sha256
    from pipeline.payroll.manual_lines import parse_lines, save_lines

    inputs, text = _month_file("lines", csv_path, roster_path, policy_path, store_url, payroll_store_url, policy_for)
    parsed = parse_lines(text, str(csv_path), inputs.roster)
    with open_stores(inputs.config) as (_, payroll_store):
        version = save_lines(payroll_store, month, text, csv_path.name, who or who_default(), sha256(text),
                             len(parsed))
    click.echo(f"imported {len(parsed)} penalty and bonus lines for {month} (version {version})")


def _month_file(what: str, csv_path: Path, roster_path: Path | None, policy_path: str, store_url: str | None,
                payroll_store_url: str | None, policy_for: tuple[str, ...]) -> tuple[Inputs, str]:
    """The run's settings, policy and roster, and the month's uploaded CSV text (`payroll inputs` and `payroll
    lines` alike): both need the roster, since every agent in the file must be in it."""
    from pipeline.payroll.inputs import InputsError

    if roster_path is None:
        raise click.ClickException(f"{what} needs --roster FILE: every agent in the {what} must be in the roster")
    inputs = Inputs(policy_path, roster_path, store_url, payroll_store_url, policy_for=policy_for)
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputsError(f"{what} {csv_path}: cannot read it ({exc.strerror})") from None
    return inputs, text
