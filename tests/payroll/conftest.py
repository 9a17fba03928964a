"""A fresh payroll database beside each test store (chDB: same folder; server: same server); ``run`` for the CLI."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.main import cli
from pipeline.payroll import examples
from pipeline.payroll.closing import open_payroll_store
from pipeline.store.chdb_engine import ChdbEngine
from pipeline.store.store import Store
from tests.fixtures.stores import ingest, server_admin_url
from tests.payroll.events import ROSTER_CSV, october


def url_of(store: Store, chdb_dir: Path, name: str) -> str:
    """The URL of database ``name`` on the test store's engine (chDB: same folder; server: admin user)."""
    if isinstance(store.engine, ChdbEngine):
        return f"chdb://{chdb_dir}?database={name}"
    admin = server_admin_url()
    assert admin is not None
    return f"{admin.rsplit('/', 1)[0]}/{name}"


def payroll_url_beside(store: Store, chdb_dir: Path) -> str:
    name = "p_" + uuid.uuid4().hex[:12]
    if isinstance(store.engine, ChdbEngine):
        return f"chdb://{chdb_dir}?database={name}"
    admin = server_admin_url()
    assert admin is not None
    return f"{admin.rsplit('/', 1)[0]}/{name}"


@pytest.fixture
def payroll_store(store: Store, chdb_dir: Path) -> Iterator[Store]:
    opened = open_payroll_store(payroll_url_beside(store, chdb_dir))
    yield opened
    opened.engine.command(f"DROP DATABASE IF EXISTS {opened.db}")
    opened.close()


@pytest.fixture
def run(store, chdb_dir, tmp_path, monkeypatch):
    """``cckpi payroll COMMAND --month 2026-10 --roster R --policy P`` on the October of events.py, both engines."""
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")
    ingest(store, october())
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV)
    payroll_url = payroll_url_beside(store, chdb_dir)
    stores = ["--store", url_of(store, chdb_dir, store.db), "--payroll-store", payroll_url]

    def invoke(command: str, *args: str, policy: Path | None = examples.POLICY, month: str = "2026-10",
               inputs: bool = True):
        given = ["--roster", str(roster)] + (["--policy", str(policy)] if policy else []) if inputs else []
        argv = ["payroll", command, "--month", month, *given, *stores, *args]
        return CliRunner().invoke(cli, argv, catch_exceptions=False)

    yield invoke
    payroll = open_payroll_store(payroll_url)
    payroll.engine.command(f"DROP DATABASE IF EXISTS {payroll.db}")
