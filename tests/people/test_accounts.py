"""Accounts in the payroll database (chDB here; the server in test_server_stack.py): argon2id, versions, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.payroll.closing import open_payroll_store
from pipeline.people import accounts
from pipeline.people.accounts import AccountError
from pipeline.store import people_tables
from pipeline.store.store import Store
from tests.fixtures.stores import fresh_url

PASSWORD = "correct horse battery"


@pytest.fixture
def payroll(chdb_dir: Path) -> Iterator[Store]:
    opened = open_payroll_store(fresh_url("chdb", chdb_dir))
    yield opened
    opened.engine.command(f"DROP DATABASE IF EXISTS {opened.db}")


def test_password_is_stored_as_argon2id_and_checked(payroll: Store) -> None:
    accounts.add(payroll, "ann", "agent", PASSWORD, agent_id="a1")
    stored = people_tables.latest_user(payroll, "ann")
    assert stored is not None and stored["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in str(stored)
    assert accounts.authenticate(payroll, "ann", PASSWORD) == accounts.User("ann", "agent", "a1", "")
    assert accounts.authenticate(payroll, "ann", PASSWORD + "x") is None
    assert accounts.authenticate(payroll, "nobody", PASSWORD) is None


def test_passwd_and_disable_are_new_versions(payroll: Store) -> None:
    accounts.add(payroll, "sue", "supervisor", PASSWORD, team="blue")
    accounts.set_password(payroll, "sue", "another long one")
    assert accounts.authenticate(payroll, "sue", PASSWORD) is None
    assert accounts.authenticate(payroll, "sue", "another long one") is not None
    accounts.disable(payroll, "sue")
    assert accounts.authenticate(payroll, "sue", "another long one") is None
    assert [(u.username, u.disabled) for u in accounts.all_users(payroll)] == [("sue", True)]
    assert people_tables.latest_user(payroll, "sue")["version"] == 3


@pytest.mark.parametrize(("name", "role", "agent", "team", "password", "message"), [
    ("ann", "agent", "", "", PASSWORD, "--agent-id: an agent account needs"),
    ("sue", "supervisor", "", "", PASSWORD, "--team: a supervisor account needs"),
    ("x y", "clerk", "", "", PASSWORD, "NAME 'x y': use 1-64 letters"),
    ("boss", "admin", "", "", PASSWORD, "--role 'admin': choose one of agent, supervisor, clerk, manager"),
    ("cleo", "clerk", "", "", "short", "password: at least 10 characters"),
])
def test_bad_accounts_are_refused_naming_the_field(payroll: Store, name: str, role: str, agent: str, team: str,
                                                   password: str, message: str) -> None:
    with pytest.raises(AccountError, match=message.replace("(", r"\(")):
        accounts.add(payroll, name, role, password, agent, team)


def test_a_taken_name_is_refused(payroll: Store) -> None:
    accounts.add(payroll, "cleo", "clerk", PASSWORD)
    with pytest.raises(AccountError, match="the account exists"):
        accounts.add(payroll, "cleo", "manager", PASSWORD)
