"""What the ``cckpi payroll`` sub-commands share: options, inputs, one-line errors, tables."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from pipeline.cli.common import open_store, settings, store_option
from pipeline.payroll import examples
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


month_option = click.option("--month", required=True, callback=_month, help="calendar month YYYY-MM (centre's zone)")
payroll_store_option = click.option(
    "--payroll-store", "payroll_store_url", metavar="URL", default=None,
    help="payroll database (default: CCKPI_PAYROLL_STORE_URL, else the store's place with database cckpi_payroll)")


def _salary(ctx: click.Context, param: click.Parameter, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"{value!r} is not an amount; write e.g. 1250000.00") from None
    if not amount.is_finite() or amount < 0:
        raise click.BadParameter(f"{value!r}: the salary total is an amount >= 0")
    return amount


salary_total_option = click.option(
    "--salary-total", callback=_salary, metavar="AMOUNT", default=None,
    help="the month's salary total (department bonus and best agent shares); frozen by the close")


def month_options(func: F) -> F:
    """--month, --policy, --roster, --store, --payroll-store: shared by the computing sub-commands."""
    options = [
        month_option,
        click.option("--policy", "policy_path", default=str(EXAMPLE_POLICY), show_default=True,
                     help="pay policy: a YAML file or a shipped policy's name (`cckpi payroll policies`)"),
        click.option("--policy-for", "policy_for", multiple=True, metavar="GROUP=POLICY",
                     help="score the roster's seat_group GROUP by its own policy (a file or a shipped name); "
                          "repeat per group, one close for the whole centre"),
        click.option("--roster", "roster_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="agent roster CSV or YAML (agent_id,name,team,hire_date[,leave_date][,fraud_orders])"),
        store_option,
        payroll_store_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def friendly(func: F) -> F:
    """Policy, roster, closing and store problems become one ``Error:`` line (exit 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pipeline.payroll.closing import ClosingError
        from pipeline.payroll.inputs import InputsError
        from pipeline.payroll.policy import PolicyError
        from pipeline.payroll.roster import RosterError
        from pipeline.store.engines import StoreError

        try:
            return func(*args, **kwargs)
        except (PolicyError, RosterError, ClosingError, InputsError, StoreError) as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


class Inputs:
    """Settings, policy and roster of one command run."""

    def __init__(self, policy_path: str, roster_path: Path | None, store_url: str | None,
                 payroll_store_url: str | None, warn_no_roster: bool = True,
                 policy_for: tuple[str, ...] = ()) -> None:
        from pipeline.payroll.policy import load_policy
        from pipeline.payroll.roster import load_roster

        self.config: Settings = settings(store_url=store_url, payroll_store_url=payroll_store_url)
        self.policy, self.policy_text = load_policy(policy_path)
        self.seat_policies: dict[str, Any] = {}
        for given in policy_for:
            group, _, where = given.partition("=")
            if not group.strip() or not where.strip():
                raise click.BadParameter(f"{given!r}: write GROUP=POLICY, e.g. key-accounts=policies/key.yaml",
                                         param_hint="--policy-for")
            if group.strip() in self.seat_policies:
                raise click.BadParameter(f"seat group {group.strip()!r} is given twice", param_hint="--policy-for")
            self.seat_policies[group.strip()] = load_policy(where.strip())
        self.roster_format = "yaml" if roster_path and roster_path.suffix.lower() in (".yaml", ".yml") else "csv"
        self.has_roster = roster_path is not None
        if roster_path is None:
            if warn_no_roster:
                click.echo("warning: no --roster: every agent is listed as not in the roster and paid 0", err=True)
            self.roster: Roster = {}
            self.roster_text = ""
        else:
            self.roster, self.roster_text = load_roster(roster_path)
        groups = {entry.seat_group for entry in self.roster.values()}
        unknown = sorted(set(self.seat_policies) - groups)
        if unknown:
            raise click.BadParameter(f"seat group {unknown[0]!r} has no agent in the roster's seat_group column",
                                     param_hint="--policy-for")

    @contextmanager
    def stores(self) -> Iterator[tuple[Any, Any]]:
        with open_stores(self.config) as opened:
            yield opened


@contextmanager
def open_stores(config: Settings) -> Iterator[tuple[Any, Any]]:
    """The events store and the payroll store."""
    from pipeline.payroll.closing import open_payroll_store, payroll_url

    with open_store(config.store_url) as store:
        payroll = open_payroll_store(payroll_url(config, config.store_url))
        try:
            yield store, payroll
        finally:
            payroll.close()


def console() -> Console:
    return Console(width=None if Console().is_terminal else 200)


def show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="seconds")


SHOWN = ("agent_id", "team", "handled_total", "hours", "qa_avg_combined", "card_total", "tier", "amount",
         "adjustment", "payable", "reasons")
TEXT = ("agent_id", "team", "tier", "reasons", "points_level")
POINTS_SHOWN = ("points_earned", "points_redeemable", "points_cash", "points_level")


def print_sheet(title: str, rows: list[dict[str, Any]], totals: list[tuple[str, Any]], lang: str) -> None:
    """The scorecards as a table (headers in ``lang``), then the month's totals."""
    from pipeline.payroll.sheet import COLUMNS, header, total_label

    out = console()
    table = Table(title=title)
    # a policy's card totals and points ledger, when its rows carry them
    extra = [key for key in dict.fromkeys(k for row in rows for k in row)
             if (key.endswith("_total") and key not in dict(COLUMNS)) or key in POINTS_SHOWN]
    shown = list(SHOWN[:-1]) + extra + [SHOWN[-1]]
    for key in shown:
        table.add_column(header(key, lang), justify="left" if key in TEXT else "right")
    for row in rows:
        table.add_row(*[show(row.get(key)) for key in shown])
    out.print(table)
    for key, value in totals:
        out.print(f"{total_label(key, lang)}: {value}")


def print_lines(title: str, lines: list[dict[str, Any]]) -> None:
    """Adjustment lines as a table."""
    table = Table(title=title)
    for name in ("agent_id", "for_month", "frozen", "now", "booked", "amount", "reason"):
        table.add_column(name, justify="right" if name in ("frozen", "now", "booked", "amount") else "left")
    for line in lines:
        table.add_row(*[str(line[name]) for name in ("agent_id", "for_month", "frozen", "now", "booked", "amount",
                                                      "reason")])
    console().print(table)
