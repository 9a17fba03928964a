"""The generated dashboards: committed JSON up to date, well formed, names from metric_defs."""

from __future__ import annotations

import json
import re

import yaml

from pipeline import metric_defs
from tests.paths import REPO_ROOT
from pipeline.dashboards import json_files
from pipeline.dashboards import grafana as g
from pipeline.settings import Settings, load_settings
from pipeline.dashboards.walk import panels, prom_queries, sql_queries
from tests.dashboards.panels import titled

GENERATED = REPO_ROOT / "dashboards" / "generated"
PROVISIONING = REPO_ROOT / "deploy" / "grafana" / "provisioning"
METRIC_NAMES = {v for k, v in vars(metric_defs).items() if k.isupper() and isinstance(v, str)}


def test_committed_json_is_what_the_builders_generate(reference_settings: Settings) -> None:
    rendered = json_files.render(reference_settings)
    assert sorted(rendered) == sorted(p.name for p in GENERATED.glob("*.json"))
    for name, text in rendered.items():
        stale = f"{name} is stale: run `cckpi dashboards export dashboards/generated`"
        assert (GENERATED / name).read_text() == text, stale


def test_dashboards_are_importable_models(reference_settings: Settings) -> None:
    uids = set()
    for name, model in json_files.build_all(reference_settings).items():
        assert model["id"] is None and model["uid"] not in uids
        uids.add(model["uid"])
        ids = [p["id"] for p in panels(model)]
        assert len(ids) == len(set(ids)), name
        for panel in panels(model):
            if panel["type"] != "row":
                assert panel["targets"], (name, panel["title"])
                assert panel["datasource"]["uid"] in (g.CLICKHOUSE_UID, g.PROMETHEUS_UID)
                pos = panel["gridPos"]
                assert pos["x"] + pos["w"] <= 24
        json.dumps(model)  # plain JSON data


def test_every_prometheus_metric_name_comes_from_metric_defs(reference_settings: Settings) -> None:
    seen = set()
    for model in json_files.build_all(reference_settings).values():
        for title, expr in prom_queries(model):
            for name in re.findall(r"\bcckpi_[a-z_]+", expr):
                base = name.removesuffix("_bucket")
                assert base in METRIC_NAMES, f"{title}: {name} is not in pipeline/metric_defs.py"
                seen.add(base)
    live = {metric_defs.SERVICE_LEVEL, metric_defs.WAITING, metric_defs.LONGEST_WAIT, metric_defs.ABANDON_RATE,
            metric_defs.ASA, metric_defs.FIRST_RESPONSE, metric_defs.AGENTS, metric_defs.CONSUMER_LAG}
    assert live <= seen


def test_wallboard_refreshes_every_few_seconds_with_big_numbers(reference_settings: Settings) -> None:
    model = json_files.build_all(reference_settings)["wallboard.json"]
    assert model["refresh"] in ("5s", "10s")
    stats = [p for p in panels(model) if p["type"] == "stat"]
    assert {p["title"] for p in stats} >= {"Service level", "Waiting", "Longest wait", "ASA", "Abandoned",
                                           "AHT today", "Chat FRT", "Available"}
    assert all(p["options"]["text"]["valueSize"] >= 60 for p in stats)
    rows = [p for p in model["panels"] if p["type"] == "row"]
    assert rows[0]["repeat"] == "queue"  # no queue configured: one row repeated per queue


def test_a_queue_with_its_own_target_gets_its_own_coloured_row() -> None:
    settings = load_settings(queues={"billing": {"sl_target": 0.8}})
    model = json_files.build_all(settings)["wallboard.json"]
    rows = [p for p in model["panels"] if p["type"] == "row"]
    assert [r["title"] for r in rows] == ["billing", "$queue", "Floor"]
    billing_sl = next(p for p in panels(model) if p["title"] == "Service level")
    assert billing_sl["targets"][0]["expr"] == 'max(cckpi_queue_service_level{queue="billing"})'
    steps = billing_sl["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [s["color"] for s in steps] == ["red", "orange", "green"]
    assert steps[2]["value"] == 0.8
    variable = next(v for v in model["templating"]["list"] if v["name"] == "queue")
    assert variable["definition"] == 'label_values(cckpi_queue_service_level{queue!~"billing"}, queue)'


def test_provisioning_files_match_the_uids_the_dashboards_use() -> None:
    sources = yaml.safe_load((PROVISIONING / "datasources" / "cckpi.yml").read_text())["datasources"]
    by_uid = {s["uid"]: s for s in sources}
    assert by_uid[g.CLICKHOUSE_UID]["type"] == g.CLICKHOUSE_TYPE
    assert by_uid[g.CLICKHOUSE_UID]["jsonData"]["username"] == "cckpi_wallboard"
    assert by_uid[g.CLICKHOUSE_UID]["secureJsonData"]["password"] == "${CCKPI_WALLBOARD_PASSWORD}"
    assert by_uid[g.PROMETHEUS_UID]["type"] == g.PROMETHEUS_TYPE
    provider = yaml.safe_load((PROVISIONING / "dashboards" / "cckpi.yml").read_text())["providers"][0]
    assert provider["type"] == "file" and provider["folderUid"] == g.FOLDER_UID
    assert "dashboards/generated" in (PROVISIONING / "dashboards" / "cckpi.yml").read_text()


def test_every_clickhouse_query_stays_in_the_shared_subset(reference_settings: Settings) -> None:
    """ClickHouse 18.16 lacks these; chDB has them, so a test on chDB alone would not notice."""
    forbidden = ["toStartOfInterval", "DateTime64", "OVER (", "$__timeInterval", "_ms(", "WITH ("]
    for model in json_files.build_all(reference_settings).values():
        for title, sql in sql_queries(model):
            assert not [f for f in forbidden if f in sql], title
            assert "FINAL" in sql, title


def test_titled_helper_finds_panels(reference_settings: Settings) -> None:
    model = json_files.build_all(reference_settings)["queue-intervals.json"]
    assert titled(model, "30-minute intervals")["type"] == "table"
