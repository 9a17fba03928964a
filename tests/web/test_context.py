"""The two lanes to the store: a long report on ClickHouse server never makes the wall or the health check wait."""

from __future__ import annotations

import threading
import urllib.request
from pathlib import Path

import pytest

from pipeline.cli.serve import open_reader
from pipeline.web.factory import create_app
from pipeline.web.floor import report_api
from pipeline.web.server import serve_in_thread
from tests.fixtures.ports import free_port
from tests.fixtures.stores import fresh_url
from tests.web.conftest import NOW_MS


def test_the_embedded_store_has_one_lane(chdb_dir: Path):
    store = open_reader(fresh_url("chdb", chdb_dir))
    try:
        assert store.beside() is None  # chDB: one session per process
    finally:
        store.engine.command(f"DROP DATABASE IF EXISTS {store.db}")


def test_a_report_in_progress_does_not_hold_the_health_check_or_the_live_board(store_url, settings, monkeypatch):
    """The report is held inside its lock until the test lets it go; meanwhile /healthz and /api/live answer
    (before, one lock: both waited for the report, as the health check waited 10 s for a 12 s report)."""
    if store_url.startswith("chdb://"):
        pytest.skip("the embedded store is one session; there the range caps bound a long read")
    entered, release = threading.Event(), threading.Event()
    real = report_api.build_report

    def held(store, wanted, config):
        entered.set()
        release.wait(120)
        return real(store, wanted, config)

    monkeypatch.setattr(report_api, "build_report", held)
    app = create_app(open_reader(store_url), settings, clock=lambda: NOW_MS, long_reads=open_reader(store_url).beside())
    port = free_port()
    stop = serve_in_thread(app, "127.0.0.1", port)
    base = f"http://127.0.0.1:{port}"
    answers: list[int] = []
    reporting = threading.Thread(target=lambda: answers.append(
        urllib.request.urlopen(f"{base}/api/report?from=2026-11-02&to=2026-11-03", timeout=120).status))
    reporting.start()
    try:
        assert entered.wait(60), "the report never started"
        for path in ("/healthz", "/api/live"):
            with urllib.request.urlopen(f"{base}{path}", timeout=20) as response:  # a deadline, not a measure
                assert response.status == 200
        assert answers == []  # the report is still held
    finally:
        release.set()
        reporting.join(120)
        stop()
    assert answers == [200]
