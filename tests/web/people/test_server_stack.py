"""The people pages on the real ClickHouse server of the local stack, each store as its own database user.

Accounts are written by `cckpi users add` as the payroll user; the wallboard
user (what `cckpi serve` reads the floor with) cannot read them; the app,
reading events as the wallboard user and the payroll database as the payroll
user, logs an agent in and answers their row exactly as `cckpi payroll rollup`.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from clickhouse_driver.errors import ServerException
from starlette.testclient import TestClient

from pipeline.cli.main import cli
from pipeline.cli.serve import open_reader
from pipeline.payroll import examples
from pipeline.payroll.closing import open_payroll_store
from pipeline.settings import load_settings
from pipeline.store.store import Store
from pipeline.web.factory import create_app
from tests.web.conftest import BASE_URL

pytestmark = pytest.mark.integration
PASSWORD = "a long stack password"


def test_accounts_for_the_payroll_user_only_and_an_agent_row_as_the_cli(stack, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    env = stack.env()
    payroll_url, wallboard_url = env["CCKPI_PAYROLL_STORE_URL"], env["CCKPI_WALLBOARD_STORE_URL"]
    assert payroll_url.startswith("clickhouse://cckpi_payroll:")  # the payroll user, not an admin
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")
    monkeypatch.setenv("CCKPI_LANG", "en")
    agent = "ag_" + uuid.uuid4().hex[:8]
    username = "u_" + uuid.uuid4().hex[:8]
    added = CliRunner().invoke(cli, ["users", "add", username, "--role", "agent", "--agent-id", agent,
                                     "--password-stdin"], input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    Store.open(env["CCKPI_STORE_URL"]).close()  # the writer migrates the events database, as a worker would
    payroll = open_payroll_store(payroll_url)
    wallboard = open_reader(wallboard_url)
    with pytest.raises(ServerException, match="Access denied to database cckpi_payroll for user cckpi_wallboard"):
        wallboard.engine.query(f"SELECT username FROM {payroll.db}.people_users")
    roster = tmp_path / "roster.csv"
    roster.write_text(f"agent_id,name,team,hire_date\n{agent},Stack Agent,blue,2025-01-01\n")
    settings = load_settings(payroll={"policy_path": examples.POLICY, "roster_path": roster})
    client = TestClient(create_app(wallboard, settings, payroll_store=payroll), base_url=BASE_URL,
                        raise_server_exceptions=False)
    assert client.post("/api/login", json={"username": username, "password": PASSWORD}).status_code == 200
    got = client.get("/api/scorecards?month=2026-10")
    assert got.status_code == 200, got.text
    rollup = CliRunner().invoke(cli, ["payroll", "rollup", "--month", "2026-10", "--format", "json", "--roster",
                                      str(roster), "--policy", str(examples.POLICY)])
    assert rollup.exit_code == 0, rollup.output
    expected = [row for row in json.loads(rollup.output[rollup.output.index("{"):])["rows"]
                if row["agent_id"] == agent]
    assert len(expected) == 1 and got.json()["rows"] == expected
    assert client.get("/api/scorecards?month=2026-10&agent_id=someone-else").status_code == 403
