"""``cckpi users``: accounts from the command line, the password from standard input, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.main import cli
from pipeline.payroll.closing import open_payroll_store
from pipeline.people import accounts
from tests.fixtures.stores import fresh_url


@pytest.fixture
def run(chdb_dir: Path):
    url = fresh_url("chdb", chdb_dir)

    def invoke(*args: str, stdin: str | None = None):
        return CliRunner().invoke(cli, ["users", *args, "--payroll-store", url], input=stdin)

    invoke.url = url  # type: ignore[attr-defined]
    yield invoke
    store = open_payroll_store(url)
    store.engine.command(f"DROP DATABASE IF EXISTS {store.db}")


def test_add_list_passwd_disable(run) -> None:
    added = run("add", "ann", "--role", "agent", "--agent-id", "a1", "--password-stdin", stdin="first password 1\n")
    assert added.exit_code == 0, added.output
    assert added.output == "added ann (agent, agent a1)\n"
    assert run("add", "sue", "--role", "supervisor", "--team", "blue", "--password-stdin",
               stdin="second password 2\n").exit_code == 0
    listed = run("list")
    assert listed.exit_code == 0
    assert "ann" in listed.output and "a1" in listed.output and "blue" in listed.output
    assert "argon2" not in listed.output
    assert run("passwd", "ann", "--password-stdin", stdin="changed password 3\n").exit_code == 0
    assert run("disable", "sue").exit_code == 0
    store = open_payroll_store(run.url)
    assert accounts.authenticate(store, "ann", "changed password 3") is not None
    assert accounts.authenticate(store, "ann", "first password 1") is None
    assert accounts.find(store, "sue").disabled


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (("add", "ann", "--role", "agent", "--password-stdin"), "long enough pw\n",
     "Error: --agent-id: an agent account needs the agent id its scorecard is under"),
    (("add", "sue", "--role", "supervisor", "--password-stdin"), "long enough pw\n",
     "Error: --team: a supervisor account needs the roster team it supervises"),
    (("add", "cleo", "--role", "clerk", "--password-stdin"), "short\n",
     "Error: password: at least 10 characters (read from standard input)"),
    (("add", "cleo", "--role", "clerk", "--password-stdin"), "",
     "Error: --password-stdin: standard input was empty; pipe the password in"),
    (("add", "cleo", "--role", "clerk"), "long enough pw\n",
     "Error: no terminal to ask for the password: pass --password-stdin and pipe it in"),
    (("disable", "nobody"), None, "Error: NAME 'nobody': no such account (`users list` shows them)"),
    (("passwd", "nobody", "--password-stdin"), "long enough pw\n",
     "Error: NAME 'nobody': no such account (`users list` shows them)"),
])
def test_bad_input_is_one_line(run, args: tuple[str, ...], stdin: str | None, message: str) -> None:
    result = run(*args, stdin=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_bad_role_is_a_usage_error(run) -> None:
    result = run("add", "boss", "--role", "admin", "--password-stdin", stdin="long enough pw\n")
    assert result.exit_code == 2
    assert "'admin' is not one of 'agent', 'supervisor', 'clerk', 'manager'" in result.output
