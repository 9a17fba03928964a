"""The cluster stack without starting it: its processes, ports, rendered configs and exports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

from pipeline.settings import load_settings
from pipeline.stack import manager
from pipeline.stack.cluster.cluster_info import ClusterInfo
from pipeline.stack.stack_info import exports
from pipeline.store.store_url import parse_url

PASSWORDS = {"default": "d", "cckpi_admin": "a<&>b", "cckpi_writer": "w p@ss", "cckpi_wallboard": "wb",
             "cckpi_payroll": "p"}


def test_processes_and_their_ports_do_not_touch_the_single_stack(tmp_path: Path) -> None:
    settings = load_settings(stack={"dir": tmp_path / "single", "cluster": {"dir": tmp_path / "cl"}})
    items = manager.status(settings, cluster=True)
    assert [(i.name, i.pid, i.port) for i in items] == [
        ("zookeeper", None, 29181), ("clickhouse-1", None, 29001), ("clickhouse-2", None, 29002),
        ("kafka-1", None, 29092), ("kafka-2", None, 29093), ("kafka-3", None, 29094)]
    ctx = manager.context(settings, cluster=True)
    cluster_ports = {p for s in manager.services(settings, True) for p in s.ports(ctx).values()}
    single = manager.context(settings)
    single_ports = {p for s in manager.services(settings) for p in s.ports(single).values()}
    assert len(cluster_ports) == 1 + 2 * 3 + 3 * 2  # ZooKeeper 1, each replica 3, each Kafka node 2: all distinct
    assert not cluster_ports & single_ports
    assert all(item.log.startswith(str(tmp_path / "cl")) for item in items)


def test_replica_configs_name_zookeeper_macros_and_the_cluster(tmp_path: Path) -> None:
    settings = load_settings(stack={"dir": tmp_path / "single", "cluster": {"dir": tmp_path / "cl"}})
    ctx = manager.context(settings, create=True, cluster=True)
    replicas = [s for s in manager.services(settings, True) if s.name.startswith("clickhouse-")]
    for replica in replicas:
        replica.prepare(ctx)
    extra = ElementTree.parse(tmp_path / "cl" / "clickhouse-2" / "config.d" / "cluster.xml").getroot()
    assert extra.findtext("macros/replica") == "clickhouse-2"
    assert extra.findtext("zookeeper/node/port") == "29181"
    assert extra.findtext("zookeeper/session_timeout_ms") == "5000"
    assert extra.findtext("interserver_http_port") == "29010"
    hosts = extra.findall("remote_servers/cckpi/shard/replica")
    assert [h.findtext("port") for h in hosts] == ["29001", "29002"]
    assert hosts[0].findtext("password") == ctx.passwords["cckpi_admin"]  # XML-escaped, read back as is
    assert oct((tmp_path / "cl" / "clickhouse-2" / "config.d" / "cluster.xml").stat().st_mode & 0o777) == "0o600"
    main = ElementTree.parse(tmp_path / "cl" / "clickhouse-1" / "config.xml").getroot()
    assert main.findtext("tcp_port") == "29001"
    assert main.findtext("path") == f"{tmp_path / 'cl' / 'clickhouse-1'}/data/"


def test_exports_point_every_setting_at_all_nodes() -> None:
    info = ClusterInfo(root=Path("/tmp/cl"), clickhouse=(("127.0.0.1", 29001), ("127.0.0.1", 29002)),
                       kafka=(("127.0.0.1", 29092), ("127.0.0.1", 29093), ("127.0.0.1", 29094)), cluster="cckpi",
                       database="cckpi", payroll_database="cckpi_payroll", replication=3, insert_quorum=2,
                       passwords=PASSWORDS)
    out = subprocess.run(["bash", "-c", exports(info.env()) + 'printf "%s\\n" "$CCKPI_STORE_URL" '
                          '"$CCKPI_KAFKA_BOOTSTRAP" "$CCKPI_TOPIC_REPLICATION"'],
                         capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}).stdout
    store, bootstrap, replication = out.splitlines()
    assert store == ("clickhouse://cckpi_writer:w%20p%40ss@127.0.0.1:29001/cckpi?alt_hosts=127.0.0.1:29002"
                     "&cluster=cckpi&insert_quorum=2&insert_quorum_timeout=30000")
    assert bootstrap == "127.0.0.1:29092,127.0.0.1:29093,127.0.0.1:29094"
    assert replication == "3"
    alone = parse_url(info.store_url("cckpi_admin", "x", host=("127.0.0.1", 29002)))
    assert alone.hosts == [("127.0.0.1", 29002)] and alone.cluster == "cckpi"
    settings = load_settings(**{k.removeprefix("CCKPI_").lower(): v for k, v in info.env().items()})
    assert settings.topic_replication == 3


def test_status_json_lists_every_process(tmp_path: Path) -> None:
    env = {**os.environ, "CCKPI_STACK__CLUSTER__DIR": str(tmp_path / "cl")}
    result = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "stack", "status", "--cluster", "--format",
                             "json"], capture_output=True, text=True, env=env)
    assert result.returncode == 3  # nothing runs there
    assert json.loads(result.stdout) == [{"name": n, "pid": None, "port": p} for n, p in (
        ("zookeeper", 29181), ("clickhouse-1", 29001), ("clickhouse-2", 29002), ("kafka-1", 29092),
        ("kafka-2", 29093), ("kafka-3", 29094))]
