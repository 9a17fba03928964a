"""October 2026 (tests/payroll/events.py) behind the web app, with a roster of two teams and one account per role.

Teams: blue = a1 (Li Na), a3 (Wu Bo); red = a2.  Accounts: ann (agent a1), bob
(agent a2), sue (supervisor of blue), cleo (clerk), max (manager).  ``login``
gives a TestClient holding that person's session and CSRF token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from pipeline.cli.main import cli
from pipeline.payroll import examples
from pipeline.payroll.closing import open_payroll_store
from pipeline.people import accounts
from pipeline.settings import Settings, load_settings
from pipeline.store.store import Store
from pipeline.web.factory import create_app
from tests.fixtures.stores import fresh_url, ingest
from tests.payroll.conftest import payroll_url_beside, url_of
from tests.payroll.events import october
from tests.web.conftest import BASE_URL

ROSTER = ("agent_id,name,team,hire_date\na1,Li Na,blue,2025-01-01\na2,Zhao Lei,red,2025-01-01\n"
          "a3,Wu Bo,blue,2026-10-10\n")
PASSWORD = "a long test password"
PEOPLE = {"ann": ("agent", "a1", ""), "bob": ("agent", "a2", ""), "sue": ("supervisor", "", "blue"),
          "cleo": ("clerk", "", ""), "max": ("manager", "", "")}
MONTH = "2026-10"


@dataclass
class Desk:
    """The app and what a test compares it with: the stores' URLs and the CLI over the same files."""

    app: Any
    store: Store
    payroll: Store
    store_url: str
    payroll_url: str
    roster: Path
    settings: Settings

    def client(self) -> TestClient:
        return TestClient(self.app, base_url=BASE_URL, raise_server_exceptions=False)

    def login(self, username: str) -> TestClient:
        client = self.client()
        response = client.post("/api/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client

    def cli(self, *args: str) -> Any:
        argv = ["payroll", *args, "--month", MONTH, "--roster", str(self.roster), "--policy", str(examples.POLICY),
                "--store", self.store_url, "--payroll-store", self.payroll_url]
        return CliRunner().invoke(cli, argv, catch_exceptions=False)


def open_desk(store: Store, chdb_dir: Path, folder: Path) -> Desk:
    """October in ``store``, a payroll database beside it with the five accounts, the app over both."""
    ingest(store, october())
    roster = folder / "roster.csv"
    roster.write_text(ROSTER)
    payroll_url = payroll_url_beside(store, chdb_dir)
    payroll = open_payroll_store(payroll_url)
    for name, (role, agent, team) in PEOPLE.items():
        accounts.add(payroll, name, role, PASSWORD, agent, team)
    settings = load_settings(tz="Asia/Shanghai", lang="en",
                             payroll={"policy_path": examples.POLICY, "roster_path": roster})
    app = create_app(store, settings, payroll_store=payroll)
    return Desk(app, store, payroll, url_of(store, chdb_dir, store.db), payroll_url, roster, settings)


@pytest.fixture
def desk(store: Store, chdb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    """A desk of its own, on each engine: for tests that change something (close, acknowledge, upload, log out)."""
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")
    monkeypatch.setenv("CCKPI_LANG", "en")
    opened = open_desk(store, chdb_dir, tmp_path)
    yield opened
    opened.payroll.engine.command(f"DROP DATABASE IF EXISTS {opened.payroll.db}")


@pytest.fixture(scope="module")
def shared_desk(chdb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """One chDB desk for a module's read-only tests (the scope matrix): built once, never changed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CCKPI_TZ", "Asia/Shanghai")
        patch.setenv("CCKPI_LANG", "en")
        store = Store.open(fresh_url("chdb", chdb_dir))
        opened = open_desk(store, chdb_dir, tmp_path_factory.mktemp("desk"))
        yield opened
    opened.payroll.engine.command(f"DROP DATABASE IF EXISTS {opened.payroll.db}")
    store.engine.command(f"DROP DATABASE IF EXISTS {store.db}")
