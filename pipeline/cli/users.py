"""``cckpi users add|list|disable|passwd``: the web app's accounts, in the payroll database."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from pipeline.cli.command_context import settings
from pipeline.cli.payroll_common import console, payroll_store_option

password_stdin_option = click.option(
    "--password-stdin", is_flag=True,
    help="read the password from standard input (one line); without it, it is asked for twice")


@click.group()
def users() -> None:
    """Accounts of the web pages: agents, supervisors, payroll clerks, managers."""


@contextmanager
def _payroll(payroll_store_url: str | None) -> Iterator[Any]:
    from pipeline.payroll.closing import open_payroll_store, payroll_url
    from pipeline.store.engines import StoreError

    config = settings(payroll_store_url=payroll_store_url)
    try:
        store = open_payroll_store(payroll_url(config, config.store_url))
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield store
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        store.close()


def account_errors(func: Callable[..., None]) -> Callable[..., None]:
    """A refused account request is one ``Error:`` line (exit 1), wherever it is found."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from pipeline.people.accounts import AccountError

        try:
            func(*args, **kwargs)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        if not password:
            raise click.UsageError("--password-stdin: standard input was empty; pipe the password in")
        return password
    if not sys.stdin.isatty():
        raise click.UsageError("no terminal to ask for the password: pass --password-stdin and pipe it in")
    return str(click.prompt("password", hide_input=True, confirmation_prompt=True))


def _who() -> str:
    from pipeline.payroll.audit import who_default

    return f"cli:{who_default()}"


@users.command()
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["agent", "supervisor", "clerk", "manager"]))
@click.option("--agent-id", default="", help="an agent's id in the events and the roster (role agent)")
@click.option("--team", default="", help="the roster team a supervisor supervises (role supervisor)")
@password_stdin_option
@payroll_store_option
@account_errors
def add(name: str, role: str, agent_id: str, team: str, password_stdin: bool, payroll_store_url: str | None) -> None:
    """Add account NAME with a role; the password is hashed with argon2id."""
    from pipeline.people import accounts

    accounts.check_new(name, role, agent_id.strip(), team.strip())  # before reading a password
    password = _password(password_stdin)
    with _payroll(payroll_store_url) as store:
        user = accounts.add(store, name, role, password, agent_id.strip(), team.strip(), who=_who())
    click.echo(f"added {user.username} ({user.role}"
               + (f", agent {user.agent_id}" if user.agent_id else "")
               + (f", team {user.team}" if user.team else "") + ")")


@users.command("list")
@payroll_store_option
def list_users(payroll_store_url: str | None) -> None:
    """Every account with its role, agent id, team and whether it is disabled (never a password hash)."""
    from rich.table import Table

    from pipeline.people import accounts

    with _payroll(payroll_store_url) as store:
        found = accounts.all_users(store)
    table = Table(title=f"{len(found)} accounts")
    for column in ("username", "role", "agent_id", "team", "state"):
        table.add_column(column)
    for user in found:
        table.add_row(user.username, user.role, user.agent_id or "-", user.team or "-",
                      "disabled" if user.disabled else "active")
    console().print(table)


@users.command()
@click.argument("name")
@payroll_store_option
@account_errors
def disable(name: str, payroll_store_url: str | None) -> None:
    """Refuse NAME's logins from now on (the account stays in the audit trail)."""
    from pipeline.people import accounts

    with _payroll(payroll_store_url) as store:
        accounts.disable(store, name, who=_who())
    click.echo(f"disabled {name}; sessions of a running `cckpi serve` end at their next request")


@users.command()
@click.argument("name")
@password_stdin_option
@payroll_store_option
@account_errors
def passwd(name: str, password_stdin: bool, payroll_store_url: str | None) -> None:
    """Set NAME's password."""
    from pipeline.people import accounts

    with _payroll(payroll_store_url) as store:
        if accounts.find(store, name) is None:  # before asking for a password
            raise accounts.AccountError(f"NAME {name!r}: no such account (`users list` shows them)")
    password = _password(password_stdin)
    with _payroll(payroll_store_url) as store:
        accounts.set_password(store, name, password, who=_who())
    click.echo(f"changed the password of {name}")
