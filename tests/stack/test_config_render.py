"""Unit tests: the configs the stack renders, without starting any server."""

from __future__ import annotations

import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from pipeline.settings import load_settings
from pipeline.stack import alertmanager, passwords, prometheus
from pipeline.stack.base import Context
from pipeline.stack.clickhouse import ClickHouse
from pipeline.stack.kafka import cluster_id
from pipeline.stack.layout import Layout, render, template


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    settings = load_settings(stack={"dir": tmp_path / "st", "clickhouse_tcp_port": 29000,
                                    "clickhouse_http_port": 28123})
    layout = Layout.from_settings(settings.stack)
    layout.make()
    return Context(settings=settings, layout=layout, passwords=passwords.ensure(layout.secrets))


def test_secrets_are_random_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "secrets.env"
    first = passwords.ensure(path)
    assert set(first) == set(passwords.USERS)
    assert len(set(first.values())) == len(first)
    assert all(len(pw) >= 24 for pw in first.values())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert passwords.ensure(path) == first == passwords.load(path)


def test_clickhouse_config_is_private_and_on_loopback(ctx: Context) -> None:
    ClickHouse().prepare(ctx)
    root = ET.parse(ctx.layout.root / "clickhouse" / "config.xml").getroot()
    assert root.findtext("listen_host") == "127.0.0.1"
    assert (root.findtext("tcp_port"), root.findtext("http_port")) == ("29000", "28123")
    assert root.findtext("timezone") == "UTC"
    for tag in ("path", "tmp_path", "user_files_path", "format_schema_path", "users_config"):
        assert Path(root.findtext(tag) or "").is_relative_to(ctx.layout.root), tag


def test_clickhouse_users_limit_databases_and_hold_no_password(ctx: Context) -> None:
    ClickHouse().prepare(ctx)
    path = ctx.layout.root / "clickhouse" / "users.xml"
    text = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not any(pw in text for pw in ctx.passwords.values())
    users = ET.fromstring(text).find("users")
    assert users is not None

    def databases(user: str) -> list[str] | None:
        node = users.find(f"{user}/allow_databases")
        return None if node is None else [d.text or "" for d in node]

    assert databases("cckpi_admin") is None
    assert databases("cckpi_writer") == ["cckpi"]
    assert databases("cckpi_wallboard") == ["cckpi"]
    assert databases("cckpi_payroll") == ["cckpi", "cckpi_payroll"]
    for user in passwords.USERS:
        assert users.findtext(f"{user}/password_sha256_hex") == passwords.sha256_hex(ctx.passwords[user])
        assert [ip.text for ip in users.findall(f"{user}/networks/ip")] == ["127.0.0.1", "::1"]
    profiles = ET.fromstring(text).find("profiles")
    assert profiles is not None
    assert users.findtext("cckpi_wallboard/profile") == "wallboard"
    assert profiles.findtext("wallboard/readonly") == "1"  # 1, not 2: 18.16 refuses table functions only at 1
    assert profiles.findtext("default/allow_experimental_low_cardinality_type") == "1"


def test_kafka_properties_are_kraft_on_loopback(tmp_path: Path) -> None:
    target = tmp_path / "server.properties"
    render(template("kafka", "server.properties.tmpl"), target,
           {"root": tmp_path, "host": "127.0.0.1", "kafka_port": 19092, "controller_port": 19093,
            "kafka_version": "3.9.1", "partitions": 4})
    props = dict(line.split("=", 1) for line in target.read_text().splitlines() if line and not line.startswith("#"))
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["log.dirs"] == f"{tmp_path}/kafka/data"
    assert "zookeeper.connect" not in props


def test_cluster_id_is_kafka_shaped() -> None:
    value = cluster_id()
    assert len(value) == 22 and not value.startswith("-")


def test_prometheus_local_config_rewrites_addresses_and_paths(tmp_path: Path) -> None:
    base = yaml.safe_load(template("prometheus", "prometheus.yml").read_text())
    config = prometheus.local_config(base, state_dir=tmp_path,
                                     self_target="127.0.0.1:19090", alertmanager_target="127.0.0.1:19094")
    assert config["global"]["evaluation_interval"] == prometheus.LOCAL_INTERVAL
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["127.0.0.1:19094"]
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["prometheus"]["static_configs"][0]["targets"] == ["127.0.0.1:19090"]
    assert jobs["cckpi-worker"]["file_sd_configs"][0]["files"] == [f"{tmp_path}/targets/*.json"]
    assert config["rule_files"] == [f"{tmp_path}/rules/*.yml"]
    assert base["scrape_configs"][0]["static_configs"][0]["targets"] == ["127.0.0.1:9090"]  # input untouched


def test_alertmanager_local_config_points_the_webhook() -> None:
    base = yaml.safe_load(template("alertmanager", "alertmanager.yml").read_text())
    config = alertmanager.local_config(base, webhook_url="http://127.0.0.1:1/x")
    receiver = next(r for r in config["receivers"] if r["name"] == alertmanager.WEBHOOK_RECEIVER)
    assert receiver["webhook_configs"][0]["url"] == "http://127.0.0.1:1/x"
    assert config["route"]["receiver"] == alertmanager.WEBHOOK_RECEIVER
