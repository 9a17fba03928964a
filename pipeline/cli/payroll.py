"""``cckpi payroll rollup|export|close|late``: monthly scorecards and bonus amounts.

The commands only wire files and stores to ``pipeline.payroll``; a closed
month is always shown and exported from its frozen rows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline.payroll import examples
from rich.console import Console
from rich.table import Table

from pipeline.cli.common import open_store, settings, store_option
from pipeline.settings import Settings

if TYPE_CHECKING:
    from pipeline.payroll.roster import Roster

EXAMPLE_POLICY = examples.POLICY
F = TypeVar("F", bound=Callable[..., Any])


def _month(ctx: click.Context, param: click.Parameter, value: str) -> Any:
    from pipeline.payroll.model import Month

    try:
        return Month.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def month_options(func: F) -> F:
    """--month, --policy, --roster, --store, --payroll-store: shared by every sub-command."""
    options = [
        click.option("--month", required=True, callback=_month, help="calendar month YYYY-MM (centre's zone)"),
        click.option("--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
                     default=EXAMPLE_POLICY, show_default=True, help="pay policy YAML"),
        click.option("--roster", "roster_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="agent roster CSV or YAML (agent_id,name,team,hire_date[,leave_date][,fraud_orders])"),
        store_option,
        click.option("--payroll-store", "payroll_store_url", metavar="URL", default=None,
                     help="payroll database (default: CCKPI_PAYROLL_STORE_URL, else the store's place with "
                          "database cckpi_payroll)"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _friendly(func: F) -> F:
    """Policy, roster and closing problems become one ``Error:`` line (exit 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pipeline.payroll.closing import ClosingError
        from pipeline.payroll.policy import PolicyError
        from pipeline.payroll.roster import RosterError
        from pipeline.store.engines import StoreError

        try:
            return func(*args, **kwargs)
        except (PolicyError, RosterError, ClosingError, StoreError) as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


class Inputs:
    """Settings, policy and roster of one command run."""

    def __init__(self, policy_path: Path, roster_path: Path | None, store_url: str | None,
                 payroll_store_url: str | None) -> None:
        from pipeline.payroll.policy import load_policy
        from pipeline.payroll.roster import load_roster

        self.config: Settings = settings(store_url=store_url, payroll_store_url=payroll_store_url)
        self.policy, self.policy_text = load_policy(policy_path)
        if roster_path is None:
            click.echo("warning: no --roster: every agent is listed as not in the roster and paid 0", err=True)
            self.roster: Roster = {}
            self.roster_text = ""
        else:
            self.roster, self.roster_text = load_roster(roster_path)

    @contextmanager
    def stores(self) -> Iterator[tuple[Any, Any]]:
        from pipeline.payroll.closing import open_payroll_store, payroll_url

        with open_store(self.config.store_url) as store:
            payroll = open_payroll_store(payroll_url(self.config, self.config.store_url))
            try:
                yield store, payroll
            finally:
                payroll.close()


@click.group()
def payroll() -> None:
    """Monthly per-agent scorecards and bonus amounts (policy file + roster), closed months."""


@payroll.command()
@month_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@_friendly
def rollup(month: Any, policy_path: Path, roster_path: Path | None, store_url: str | None,
           payroll_store_url: str | None, fmt: str) -> None:
    """Print the month's scorecards (the frozen ones when the month is closed)."""
    import json

    from pipeline.payroll.month_sheet import month_sheet

    inputs = Inputs(policy_path, roster_path, store_url, payroll_store_url)
    with inputs.stores() as (store, payroll_store):
        sheet = month_sheet(store, payroll_store, month, inputs.config, inputs.roster, inputs.policy,
                            inputs.policy_text)
    if fmt == "json":
        click.echo(json.dumps({"month": str(month), "closed": sheet.closed, "rows": sheet.rows,
                               "totals": dict(sheet.totals)}, indent=1, default=str))
        return
    console = Console(width=None if Console().is_terminal else 200)
    state = f"closed (checksum {sheet.meta.checksum[:12]})" if sheet.closed else "open: figures may still change"
    table = Table(title=f"payroll {month} ({sheet.meta.tz}, policy {sheet.meta.policy_name}, {state})")
    shown = [("agent_id", "agent"), ("team", "team"), ("handled_total", "handled"), ("hours", "hours"),
             ("qa_avg_combined", "QA avg"), ("card_total", "card"), ("tier", "tier"), ("amount", "bonus"),
             ("reasons", "reasons")]
    for key, header in shown:
        table.add_column(header, justify="left" if key in ("agent_id", "team", "tier", "reasons") else "right")
    for row in sheet.rows:
        table.add_row(*[_show(row.get(key)) for key, _ in shown])
    console.print(table)
    for label, value in sheet.totals:
        console.print(f"{label}: {value}")
    if sheet.meta.not_in_roster:
        console.print(f"[yellow]warning: not in the roster (paid 0): {', '.join(sheet.meta.not_in_roster)}[/]")


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


@payroll.command()
@month_options
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="default: from the --out suffix")
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@_friendly
def export(month: Any, policy_path: Path, roster_path: Path | None, store_url: str | None,
           payroll_store_url: str | None, fmt: str | None, out_path: Path) -> None:
    """Write one row per agent (every figure, score per KPI, tier, amount, reasons) as CSV or XLSX."""
    from pipeline.payroll.month_sheet import month_sheet

    fmt = fmt or ("xlsx" if out_path.suffix.lower() == ".xlsx" else "csv")
    inputs = Inputs(policy_path, roster_path, store_url, payroll_store_url)
    with inputs.stores() as (store, payroll_store):
        sheet = month_sheet(store, payroll_store, month, inputs.config, inputs.roster, inputs.policy,
                            inputs.policy_text)
    out_path.write_bytes(sheet.export(fmt))
    state = "closed month, frozen rows" if sheet.closed else "open month: not final until `payroll close`"
    click.echo(f"wrote {len(sheet.rows)} agents to {out_path} ({fmt}, {state})", err=True)


@payroll.command()
@month_options
@_friendly
def close(month: Any, policy_path: Path, roster_path: Path | None, store_url: str | None,
          payroll_store_url: str | None) -> None:
    """Freeze the month's scorecards in the payroll database with a checksum of their inputs."""
    from pipeline.payroll.closing import close_month
    from pipeline.payroll.rollup import monthly_rollup

    inputs = Inputs(policy_path, roster_path, store_url, payroll_store_url)
    with inputs.stores() as (store, payroll_store):
        rollup = monthly_rollup(store, month, inputs.config, inputs.roster)
        closed = close_month(payroll_store, store.db, rollup, inputs.roster, inputs.roster_text, inputs.policy,
                             inputs.policy_text)
    when = datetime.fromtimestamp(closed.closed_ms / 1000, timezone.utc).isoformat(timespec="seconds")
    click.echo(f"closed {month} at {when}: {len(closed.rows)} agents, checksum {closed.checksum}")
    if closed.meta["not_in_roster"]:
        click.echo(f"warning: not in the roster (paid 0): {', '.join(closed.meta['not_in_roster'])}", err=True)


@payroll.command()
@month_options
@_friendly
def late(month: Any, policy_path: Path, roster_path: Path | None, store_url: str | None,
         payroll_store_url: str | None) -> None:
    """List events of a closed month ingested after it was closed (they are not applied)."""
    from pipeline.payroll.closing import find_closed, late_events, open_payroll_store, payroll_url

    config = settings(store_url=store_url, payroll_store_url=payroll_store_url)
    with open_store(config.store_url) as store:
        payroll_store = open_payroll_store(payroll_url(config, config.store_url))
        closed = find_closed(payroll_store, month)
        if closed is None:
            raise click.ClickException(f"{month} is not closed; late events only exist for a closed month")
        events = late_events(store, closed)
    console = Console(width=None if Console().is_terminal else 200)
    if not events:
        console.print(f"no late events for {month} (closed at {closed.closed_ms})")
        return
    table = Table(title=f"{len(events)} late events for {month}: not in the closed payroll")
    for name in ("event_id", "type", "ts", "agent_id", "contact_id", "ingested"):
        table.add_column(name)
    for item in events:
        table.add_row(item["event_id"], item["type"], _iso(item["ts_ms"]), item["agent_id"], item["contact_id"],
                      _iso(item["first_ingested_ms"]))
    console.print(table)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="seconds")
