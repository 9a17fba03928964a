"""`cckpi serve` before the store is made, and without the chart library: one line naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from pipeline.cli import serve
from pipeline.cli.main import cli
from pipeline.settings import load_settings
from pipeline.store.engine_choice import open_engine
from pipeline.store.store import Store
from pipeline.web.factory import create_app
from tests.fixtures.stores import ENGINES, fresh_url
from tests.web.conftest import BASE_URL


@pytest.mark.parametrize("engine", ENGINES)
def test_an_unmigrated_store_answers_503_naming_cckpi_store_migrate_until_it_is_migrated(engine: str,
                                                                                       chdb_dir: Path) -> None:
    url = fresh_url(engine, chdb_dir)
    store = Store(open_engine(url))  # what the read-only wallboard user gets: no migration
    try:
        gate = serve.SchemaGate(create_app(store, load_settings()), store)
        with TestClient(gate, base_url=BASE_URL, raise_server_exceptions=False) as client:
            for path in ("/api/live", "/", "/healthz"):
                answer = client.get(path)
                assert answer.status_code == 503
                assert "has 0 of" in answer.json()["error"] and "schema migrations" in answer.json()["error"]
                assert "run `cckpi store migrate`" in answer.json()["error"] and "\n" not in answer.json()["error"]
            migrated = CliRunner().invoke(cli, ["store", "migrate", "--store", url])
            assert migrated.exit_code == 0 and "events store" in migrated.output, migrated.output
            assert client.get("/api/live").status_code == 200
            assert client.get("/healthz").json() == {"status": "ok"}
    finally:
        store.engine.command(f"DROP DATABASE IF EXISTS {store.db}")


def test_serve_refuses_to_start_without_the_chart_library(monkeypatch: pytest.MonkeyPatch, workdir) -> None:
    monkeypatch.setattr(serve, "CHART_LIBRARY", ("static", "vendor", "not-built.js"))
    result = CliRunner().invoke(cli, ["serve", "--port", "1"], env=workdir)
    assert result.exit_code == 1
    assert "has no chart library" in result.output and "`make install`" in result.output
    assert "with npm present" in result.output and "Traceback" not in result.output
