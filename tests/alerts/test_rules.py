"""The rule files: committed copies match the settings, promtool accepts and unit-tests them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline import metric_defs
from tests.paths import REPO_ROOT
from pipeline.alerts import rules
from pipeline.cli.alerts import alerts
from pipeline.settings import Settings, load_settings
from tests.alerts.conftest import need

RULES = REPO_ROOT / "deploy" / "prometheus" / "rules"


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([need("promtool"), *map(str, args)], capture_output=True, text=True, timeout=120)


def test_committed_rule_files_are_rendered_from_the_default_settings(reference_settings: Settings) -> None:
    rendered = rules.render(reference_settings)
    assert sorted(rendered) == sorted(p.name for p in RULES.glob("*.yml"))
    for name, text in rendered.items():
        assert (RULES / name).read_text() == text, f"{name} is stale: run `cckpi alerts render`"


def test_promtool_check_rules() -> None:
    result = promtool("check", "rules", *sorted(RULES.glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_fire_after_for_not_on_a_dip_and_resolve() -> None:
    tests = sorted((RULES / "tests").glob("*.yml"))
    assert {t.name for t in tests} == {"queues_test.yml", "pipeline_test.yml"}
    result = promtool("test", "rules", *tests)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_rule_uses_metric_names_from_metric_defs(reference_settings: Settings) -> None:
    names = {v for k, v in vars(metric_defs).items() if k.isupper() and isinstance(v, str)}
    for text in rules.render(reference_settings).values():
        for group in yaml.safe_load(text)["groups"]:
            for rule in group["rules"]:
                assert any(name in rule["expr"] for name in names | {"up{"}), rule["expr"]
                assert rule["for"] != "0s"


def test_promtool_check_config_on_the_prometheus_config_and_its_rules() -> None:
    config = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
    assert "rules/*.yml" in yaml.safe_load(config.read_text())["rule_files"]
    jobs = [job["job_name"] for job in yaml.safe_load(config.read_text())["scrape_configs"]]
    assert rules.WORKER_JOB in jobs and rules.FOLLOW_JOB in jobs  # WorkerDown and FollowerDown watch their `up`
    result = promtool("check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("SUCCESS: 4 rules found") == 2  # the queue rules and the pipeline rules


def test_alertmanager_config_groups_by_queue_and_inhibits_queue_alerts_while_the_worker_is_down() -> None:
    config = REPO_ROOT / "deploy" / "alertmanager" / "alertmanager.yml"
    body = yaml.safe_load(config.read_text())
    assert "queue" in body["route"]["group_by"]
    assert body["receivers"][0]["webhook_configs"][0]["send_resolved"] is True
    result = subprocess.run([need("amtool"), "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_remote_serve_example_sends_the_token_and_mails() -> None:
    """The receiver for `cckpi serve` off loopback: a bearer token from a file, and Alertmanager's own e-mail."""
    config = REPO_ROOT / "deploy" / "alertmanager" / "alertmanager-remote-serve.yml"
    receiver = yaml.safe_load(config.read_text())["receivers"][0]
    hook = receiver["webhook_configs"][0]
    assert hook["url"].endswith("/api/alerts/alertmanager") and hook["send_resolved"] is True
    assert hook["http_config"]["authorization"]["type"] == "Bearer"
    assert receiver["email_configs"][0]["send_resolved"] is True
    result = subprocess.run([need("amtool"), "check-config", str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def _sl_case(queue: str, value: float) -> dict[str, object]:
    return {"series": f'cckpi_queue_service_level{{queue="{queue}",channel="voice",abandon_mode="exclude_short"}}',
            "values": f"{value}x20"}


def test_per_queue_targets_and_opening_hours_reach_the_rules(tmp_path: Path) -> None:
    """billing has its own 80 % target; everything else keeps the default 90 %."""
    settings = load_settings(queues={"billing": {"sl_target": 0.8, "open_weekdays": [6, 7]}},
                             tz="Asia/Shanghai")
    result = CliRunner().invoke(alerts, ["render", "--out", str(tmp_path), "--tz", "Asia/Shanghai"],
                                env={"CCKPI_QUEUES__BILLING__SL_TARGET": "0.8",
                                     "CCKPI_QUEUES__BILLING__OPEN_WEEKDAYS": "[6, 7]"})
    assert result.exit_code == 0, result.output
    assert (tmp_path / rules.QUEUES_FILE).read_text() == rules.render(settings)[rules.QUEUES_FILE]
    assert promtool("check", "rules", tmp_path / rules.QUEUES_FILE).returncode == 0
    # promtool compares annotations too: test a copy without them, so only the labels matter here
    body = yaml.safe_load((tmp_path / rules.QUEUES_FILE).read_text())
    for rule in body["groups"][0]["rules"]:
        rule.pop("annotations")
    (tmp_path / "bare.yml").write_text(yaml.safe_dump(body))
    # promtool's clock starts on Thursday 1970-01-01 08:00 in Shanghai: billing is
    # closed (weekends only), sales open, so only sales alerts about silence.
    silence = [{"series": f'cckpi_queue_last_event_timestamp_seconds{{queue="{q}"}}', "values": "0x30"}
               for q in ("billing", "sales")]
    case = {
        "rule_files": [str(tmp_path / "bare.yml")],
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [_sl_case("billing", 0.85), _sl_case("sales", 0.85), *silence],
            "alert_rule_test": [
                {"eval_time": "10m", "alertname": "QueueServiceLevelBelowTarget",
                 "exp_alerts": [{"exp_labels": {"severity": "page", "queue": "sales", "channel": "voice",
                                                "abandon_mode": "exclude_short"}}]},
                {"eval_time": "20m", "alertname": "QueueNoEvents",
                 "exp_alerts": [{"exp_labels": {"severity": "warning", "queue": "sales"}}]},
            ],
        }],
    }
    test_file = tmp_path / "case_test.yml"
    test_file.write_text(yaml.safe_dump(case))
    out = promtool("test", "rules", test_file)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize(("hours", "eval_time", "fires"), [
    ("20:00-04:00", "1h", True),      # 01:00 UTC: inside hours that cross midnight
    ("20:00-04:00", "12h", False),    # 12:00 UTC: closed
    ("20:00-04:00", "21h", True),     # 21:00 UTC: open again
    ("09:00-17:00", "1h", False),
    ("09:00-17:00", "10h", True),
])
def test_opening_hours_gate_the_no_events_alert(tmp_path: Path, hours: str, eval_time: str, fires: bool) -> None:
    settings = load_settings(tz="UTC", queue_defaults={"opening_hours": hours})
    rule_file = tmp_path / "rules.yml"
    body = yaml.safe_load(rules.render(settings)[rules.QUEUES_FILE])
    body["groups"][0]["rules"] = [{k: v for k, v in r.items() if k != "annotations"}
                                  for r in body["groups"][0]["rules"] if r["alert"] == "QueueNoEvents"]
    rule_file.write_text(yaml.safe_dump(body))
    expected = [{"exp_labels": {"severity": "warning", "queue": "billing"}}] if fires else []
    case = {"rule_files": [str(rule_file)], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [{"series": 'cckpi_queue_last_event_timestamp_seconds{queue="billing"}', "values": "0x1500"}],
        "alert_rule_test": [{"eval_time": eval_time, "alertname": "QueueNoEvents", "exp_alerts": expected}],
    }]}
    test_file = tmp_path / "case_test.yml"
    test_file.write_text(yaml.safe_dump(case))
    out = promtool("test", "rules", test_file)
    assert out.returncode == 0, out.stdout + out.stderr
