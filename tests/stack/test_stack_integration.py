"""Integration tests on the real local stack (``cckpi stack up``): no server is mocked."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import time
import uuid
import warnings

import pytest
from clickhouse_driver import Client
from clickhouse_driver.errors import ServerException

from pipeline.kafka.admin import ensure_topics
from pipeline.settings import load_settings
from pipeline.stack.stack_info import StackInfo
from tests.fixtures.http import get_json, prometheus_query

pytestmark = pytest.mark.integration

DATABASE_ACCESS_DENIED = 291
READONLY = 164


def cckpi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True, text=True)


def client(stack: StackInfo, user: str, database: str) -> Client:
    return Client(stack.host, port=stack.clickhouse_tcp_port, user=user, password=stack.passwords[user],
                  database=database, connect_timeout=2, send_receive_timeout=10)


def test_every_service_answers_with_the_expected_version(stack: StackInfo) -> None:
    assert client(stack, "cckpi_admin", "cckpi").execute("SELECT version()")[0][0].startswith("18.16.")
    assert get_json(f"{stack.prometheus_url}/api/v1/status/buildinfo", timeout=5)["data"]["version"].startswith("2.42.")
    assert get_json(f"{stack.alertmanager_url}/api/v2/status", timeout=5)["versionInfo"]["version"].startswith("0.25.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        assert admin.describe_cluster()["brokers"]
    finally:
        admin.close()
    jars = list((stack.root / "kafka").glob("libs-*/kafka_2.13-3.9.*.jar"))
    assert jars, "the broker runs the Kafka 3.9 jars resolved by Maven"


def test_up_twice_starts_nothing(stack: StackInfo) -> None:
    before = cckpi("stack", "status")
    result = cckpi("stack", "up")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4 and all("already running" in line for line in lines), result.stdout
    assert "started" not in result.stdout  # nothing waited for a service to come up
    assert cckpi("stack", "status").stdout == before.stdout  # same pids


def test_payroll_data_is_refused_to_wallboard_and_writer(stack: StackInfo) -> None:
    table = f"{stack.payroll_database}.agent_month_{uuid.uuid4().hex[:8]}"
    admin = client(stack, "cckpi_admin", stack.payroll_database)
    admin.execute(f"CREATE TABLE {table} (agent_id String, bonus Decimal(12, 2)) ENGINE = MergeTree ORDER BY agent_id")
    try:
        admin.execute(f"INSERT INTO {table} VALUES", [("a1", 120)])
        for user in ("cckpi_wallboard", "cckpi_writer"):
            with pytest.raises(ServerException) as refused:
                client(stack, user, stack.database).execute(f"SELECT * FROM {table}")
            assert refused.value.code == DATABASE_ACCESS_DENIED, user
        assert client(stack, "cckpi_payroll", stack.payroll_database).execute(f"SELECT agent_id FROM {table}") == [
            ("a1",)]
    finally:
        admin.execute(f"DROP TABLE IF EXISTS {table}")


def test_wallboard_reads_but_cannot_write(stack: StackInfo) -> None:
    table = f"{stack.database}.wallboard_probe_{uuid.uuid4().hex[:8]}"
    client(stack, "cckpi_writer", stack.database).execute(f"CREATE TABLE {table} (n UInt8) ENGINE = Memory")
    try:
        client(stack, "cckpi_writer", stack.database).execute(f"INSERT INTO {table} VALUES", [(7,)])
        wallboard = client(stack, "cckpi_wallboard", stack.database)
        assert wallboard.execute(f"SELECT n FROM {table}") == [(7,)]
        with pytest.raises(ServerException) as refused:
            wallboard.execute(f"INSERT INTO {table} VALUES", [(8,)])
        assert refused.value.code == READONLY
    finally:
        client(stack, "cckpi_admin", stack.database).execute(f"DROP TABLE IF EXISTS {table}")


def test_default_user_is_closed_and_secrets_private(stack: StackInfo) -> None:
    with pytest.raises(ServerException):
        Client(stack.host, port=stack.clickhouse_tcp_port, user="default", password="",
               connect_timeout=2).execute("SELECT 1")
    assert stat.S_IMODE((stack.root / "secrets.env").stat().st_mode) == 0o600


def test_stack_env_points_at_the_running_stack(stack: StackInfo) -> None:
    result = subprocess.run(["bash", "-c", f'eval "$({sys.executable} -m pipeline.cli.main stack env)"; '
                             'echo "$CCKPI_STORE_URL"'], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == stack.store
    from urllib.parse import unquote, urlsplit

    url = urlsplit(stack.store)
    writer = Client(url.hostname, port=url.port, user=url.username, password=unquote(url.password or ""),
                    database=url.path.lstrip("/"))
    assert writer.execute("SELECT currentDatabase()") == [(stack.database,)]  # 18.16 has no currentUser()


def test_ensure_topics_creates_configured_partitions_idempotently(stack: StackInfo) -> None:
    settings = load_settings(kafka_bootstrap=stack.kafka_bootstrap, topic_prefix=f"t{uuid.uuid4().hex[:8]}",
                             topic_partitions=3)
    names = [settings.topic("events"), settings.topic("dead-letter")]
    ensure_topics(settings, names)
    ensure_topics(settings, names)  # second call: no error, no change
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    try:
        described = {t.get("name") or t.get("topic"): t for t in admin.describe_topics(names)}
        assert {name: len(described[name]["partitions"]) for name in names} == {name: 3 for name in names}
        admin.delete_topics(names)
    finally:
        admin.close()


def test_prometheus_scrapes_a_target_added_as_a_file(stack: StackInfo) -> None:
    from prometheus_client import CollectorRegistry, Gauge, start_http_server

    registry = CollectorRegistry()
    Gauge("cckpi_stack_probe", "probe of the file_sd target list", registry=registry).set(42)
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    port = server.server_address[1]
    target_file = stack.prometheus_targets_dir / f"probe-{port}.json"
    target_file.write_text(json.dumps([{"targets": [f"127.0.0.1:{port}"], "labels": {"probe": "yes"}}]))
    try:
        deadline = time.monotonic() + 40
        value = None
        while time.monotonic() < deadline and value is None:
            time.sleep(1)
            samples = prometheus_query(stack.prometheus_url, 'cckpi_stack_probe{probe="yes"}', timeout=5)
            value = samples[0]["value"][1] if samples else None
        assert value == "42"
        assert samples[0]["metric"]["job"] == "cckpi-worker"
    finally:
        target_file.unlink()
        server.shutdown()

