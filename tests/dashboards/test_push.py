"""``cckpi dashboards push`` against a local server implementing Grafana's HTTP API endpoints."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline.cli.dashboards import dashboards
from pipeline.dashboards import json_files
from pipeline.dashboards import grafana as g
from pipeline.dashboards.push import ClickHouseTarget, PushError, clickhouse_datasource, connect
from pipeline.dashboards.push import prometheus_datasource, push
from pipeline.settings import Settings
from tests.dashboards.fake_grafana import fake_grafana

TOKEN = "glsa_test-token"
TARGET = ClickHouseTarget("clickhouse.internal", 9000, "cckpi_wallboard", "wallboard-pw", "cckpi")
UIDS = ["cckpi-wallboard", "cckpi-queue-intervals", "cckpi-agent-scorecard", "cckpi-pipeline-health"]


def _sources() -> list[g.JSON]:
    return [clickhouse_datasource(TARGET), prometheus_datasource("http://prometheus:9090")]


def test_first_push_creates_folder_datasources_and_dashboards(reference_settings: Settings) -> None:
    models = list(json_files.build_all(reference_settings).values())
    with fake_grafana(TOKEN) as (url, state):
        done = push(connect(url, TOKEN), models, _sources())
    assert [(r.method, r.path) for r in state.requests] == [
        ("GET", "/api/folders/cckpi"), ("POST", "/api/folders"),
        ("GET", "/api/datasources/uid/cckpi-clickhouse"), ("POST", "/api/datasources"),
        ("GET", "/api/datasources/uid/cckpi-prometheus"), ("POST", "/api/datasources"),
    ] + [("POST", "/api/dashboards/db")] * 4
    assert {r.authorization for r in state.requests} == {f"Bearer {TOKEN}"}
    assert state.requests[1].body == {"title": "Contact centre", "uid": "cckpi"}
    clickhouse = state.requests[3].body
    assert clickhouse["type"] == "grafana-clickhouse-datasource" and clickhouse["uid"] == "cckpi-clickhouse"
    assert clickhouse["jsonData"] == {"host": "clickhouse.internal", "port": 9000, "protocol": "native",
                                      "username": "cckpi_wallboard", "defaultDatabase": "cckpi", "secure": False}
    assert clickhouse["secureJsonData"] == {"password": "wallboard-pw"}
    assert state.requests[5].body["url"] == "http://prometheus:9090"
    for request, model in zip(state.requests[6:], models):
        assert request.body == {"dashboard": model, "folderUid": "cckpi", "overwrite": True,
                                "message": "cckpi dashboards push"}
        assert request.body["dashboard"]["id"] is None
    assert sorted(state.dashboards) == sorted(UIDS)
    assert done[0] == "created folder cckpi" and done[-1].startswith("saved dashboard cckpi-pipeline-health")


def test_second_push_updates_in_place(reference_settings: Settings) -> None:
    models = list(json_files.build_all(reference_settings).values())
    with fake_grafana(TOKEN) as (url, state):
        api = connect(url, TOKEN)
        push(api, models, _sources())
        first = len(state.requests)
        push(api, models, _sources())
    again = state.requests[first:]
    assert [(r.method, r.path) for r in again] == [
        ("GET", "/api/folders/cckpi"),
        ("GET", "/api/datasources/uid/cckpi-clickhouse"), ("PUT", "/api/datasources/uid/cckpi-clickhouse"),
        ("GET", "/api/datasources/uid/cckpi-prometheus"), ("PUT", "/api/datasources/uid/cckpi-prometheus"),
    ] + [("POST", "/api/dashboards/db")] * 4
    assert again[2].body == clickhouse_datasource(TARGET)
    assert len(state.folders) == 1 and len(state.datasources) == 2 and len(state.dashboards) == 4
    assert {d["version"] for d in state.dashboards.values()} == {2}


def test_a_renamed_folder_is_renamed_back_with_its_version() -> None:
    with fake_grafana(TOKEN) as (url, state):
        state.folders["cckpi"] = {"id": 7, "uid": "cckpi", "title": "Someone renamed it", "version": 3}
        push(connect(url, TOKEN), [], [])
    assert [(r.method, r.path, r.body) for r in state.requests] == [
        ("GET", "/api/folders/cckpi", None),
        ("PUT", "/api/folders/cckpi", {"title": "Contact centre", "version": 3, "overwrite": True}),
    ]


def test_a_bad_token_is_a_clear_error() -> None:
    with fake_grafana(TOKEN) as (url, state):
        with pytest.raises(PushError, match="folder cckpi: Grafana answered 401"):
            push(connect(url, "wrong"), [], [])
    assert state.requests[0].authorization == "Bearer wrong"


def test_cli_push_takes_the_wallboard_user_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCKPI_CONFIG", raising=False)
    env = {"CCKPI_WALLBOARD_STORE_URL": "clickhouse://cckpi_wallboard:url-pw@10.0.0.5:19000/cckpi",
           "CCKPI_WALLBOARD_PASSWORD": "env-pw", "CCKPI_PROMETHEUS_URL": "http://10.0.0.6:19090"}
    with fake_grafana(TOKEN) as (url, state):
        result = CliRunner().invoke(dashboards, ["push", "--url", url, "--token", TOKEN], env=env)
        assert result.exit_code == 0, result.output
        bad = CliRunner().invoke(dashboards, ["push", "--url", url, "--token", "nope"], env=env)
    assert "Grafana answered 401" in bad.output and bad.exit_code == 1
    clickhouse = state.datasources["cckpi-clickhouse"]
    assert clickhouse["jsonData"]["host"] == "10.0.0.5" and clickhouse["jsonData"]["port"] == 19000
    assert clickhouse["secureJsonData"]["password"] == "env-pw"
    assert state.datasources["cckpi-prometheus"]["url"] == "http://10.0.0.6:19090"
    assert sorted(state.dashboards) == sorted(UIDS)
    assert "saved dashboard cckpi-wallboard" in result.output


def test_cli_push_without_a_wallboard_store_explains_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CCKPI_CONFIG", "CCKPI_WALLBOARD_STORE_URL", "CCKPI_PROMETHEUS_URL"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(dashboards, ["push", "--url", "http://127.0.0.1:1", "--token", TOKEN])
    assert result.exit_code == 2 and "--no-datasources" in result.output
