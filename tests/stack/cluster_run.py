"""Shared pieces of the cluster tests: start/stop the cluster, a simulated day and its single-node replay,
workers on the cluster, comparisons, kills.

The cluster tests start the cluster themselves (`cckpi stack up --cluster`)
and stop it at the end, also when a test fails; a cluster that was already
running in the same layout is left running.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
import pytest

from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.batch import replay
from pipeline.settings import load_settings
from pipeline.simulate.config import SimulationConfig
from pipeline.simulate.engine import generate
from pipeline.stack.cluster.cluster_info import ClusterInfo, cluster_info
from pipeline.stack.process import stop_children
from pipeline.store.store_url import with_database
from pipeline.store.store import Store
from tests.fixtures.stores import TEST_KEY
from tests.worker.conftest import eventually, free_port, reports


def cckpi(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True, text=True,
                          timeout=timeout)


def cluster_status() -> dict[str, dict[str, Any]]:
    result = cckpi("stack", "status", "--cluster", "--format", "json", timeout=30)
    return {item["name"]: item for item in json.loads(result.stdout)}


@contextmanager
def running_cluster(layout: dict[str, str] | None = None) -> Iterator[ClusterInfo]:
    """The cluster up (in ``layout``: CCKPI_STACK__CLUSTER__* settings); stopped at the end if we started it."""
    with mock.patch.dict(os.environ, layout or {}):
        was_up = all(item["pid"] for item in cluster_status().values())
        try:
            result = cckpi("stack", "up", "--cluster")
            if result.returncode != 0:
                pytest.fail(f"`cckpi stack up --cluster` failed:\n{result.stdout}{result.stderr}", pytrace=False)
            yield cluster_info(load_settings())
        finally:
            if not was_up:
                cckpi("stack", "down", "--cluster", timeout=120)


# the scale-out tests' second layout, beside the default (1 shard of 2 replicas): 2 shards of 1 replica each
SHARDED = {"CCKPI_STACK__CLUSTER__CLICKHOUSE_SHARDS": "2", "CCKPI_STACK__CLUSTER__CLICKHOUSE_REPLICAS": "1",
           "CCKPI_STACK__CLUSTER__DIR": ".stack-cluster-sharded"}


@contextmanager
def running_sharded_cluster() -> Iterator[ClusterInfo]:
    """The ``SHARDED`` layout up from empty data (skipped while the default cluster holds the same ports).

    A test-only layout: its servers start from empty data, so a run that died midway leaves nothing behind
    (replicated tables half created or altered by it would not load); the cached jars stay."""
    if any(item["pid"] for item in cluster_status().values()):
        pytest.skip("the cluster is running (same ports); stop it with `cckpi stack down --cluster`")
    for stale in ("clickhouse-1", "clickhouse-2", "zookeeper", "kafka-1", "kafka-2", "kafka-3"):
        shutil.rmtree(Path(SHARDED["CCKPI_STACK__CLUSTER__DIR"]) / stale, ignore_errors=True)
    with running_cluster(SHARDED) as info:
        yield info


@dataclass
class Day:
    path: Path
    distinct: int
    reports: list[list[dict[str, Any]]]
    intervals: list[tuple[Any, ...]]


def make_day(tmp: Path, chdb_dir: Path, contacts: int = 3000) -> Day:
    """About 28,000 events (3,000 contacts) with 5 % repeats, shuffled, and their single-node replay (the
    embedded store)."""
    lines = [orjson.dumps(e) for e in generate(SimulationConfig(contacts=contacts, seed=16))]
    rng = random.Random(16)
    messy = lines + rng.sample(lines, len(lines) // 20)
    rng.shuffle(messy)
    path = tmp / "day.jsonl"
    path.write_bytes(b"\n".join(messy) + b"\n")
    settings = load_settings()
    store = Store.open(f"chdb://{chdb_dir}?database=single_{uuid.uuid4().hex[:10]}")
    try:
        replay([str(path)], store, settings, pseudonymiser(TEST_KEY), tmp / "dead-letter.jsonl")
        return Day(path, len(lines), reports(store, settings), interval_rows(store))
    finally:
        store.engine.command(f"DROP DATABASE IF EXISTS {store.db}")


class Run:
    """One test's topics, database and workers on the cluster."""

    def __init__(self, info: ClusterInfo, tmp: Path) -> None:
        self.info, self.tmp = info, tmp
        self.prefix = "c" + uuid.uuid4().hex[:12]
        self.db = "cw_" + uuid.uuid4().hex[:12]
        self.url = with_database(info.env()["CCKPI_ADMIN_STORE_URL"], self.db)
        self.workers: list[subprocess.Popen[bytes]] = []

    def env(self) -> dict[str, str]:
        return {**os.environ, **self.info.env(), "CCKPI_STORE_URL": self.url, "CCKPI_TOPIC_PREFIX": self.prefix,
                "CCKPI_PSEUDONYM_KEY": TEST_KEY.decode(), "CCKPI_DATA_DIR": str(self.tmp / "data"),
                "CCKPI_BATCH_MAX_EVENTS": "1500", "CCKPI_WORKER_METRICS_PORT": str(free_port())}

    def start_worker(self) -> None:
        log = open(self.tmp / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115 - the process holds it
        self.workers.append(subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli.main", "worker", "--clock", "events", "--loglevel", "info"],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT))

    def produce(self, path: Path, rate: float) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "pipeline.cli.main", "produce", "--rate", str(rate),
                                 str(path)], env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def logs(self) -> str:
        return "\n".join(f"--- worker {i}:\n" + (self.tmp / f"worker-{i}.log").read_text(errors="replace")[-2500:]
                         for i in range(len(self.workers)))

    def stored(self, store: Store) -> int:
        for proc in self.workers:
            assert proc.poll() in (None, -signal.SIGKILL), f"a worker exited with {proc.returncode}:\n{self.logs()}"
        return int(store.engine.query(f"SELECT count() AS n FROM {self.db}.events FINAL")["n"][0])

    def wait_stored(self, store: Store, count: int, timeout: float) -> None:
        eventually(lambda: self.stored(store) >= count, timeout, f"{count} events stored\n{self.logs()}")

    def crash_worker(self, index: int) -> None:
        """SIGKILL: no shutdown, no commit; its partitions go to the others and the batch is read again."""
        self.workers[index].send_signal(signal.SIGKILL)
        self.workers[index].wait()

    def stop(self) -> None:
        stop_children(self.workers)


def interval_rows(store: Store) -> list[tuple[Any, ...]]:
    """The 15-minute aggregates, one row per key.  Grouped, because ClickHouse 18.16 fails a plain
    ``SELECT ... FINAL`` over a Distributed table (sharded store); FINAL leaves one row per key anyway."""
    result = store.engine.query(
        f"SELECT queue, channel, direction, toUInt32(interval_start) AS t, sum(offered) AS o, sum(answered) AS a, "
        f"sum(abandoned) AS ab, sum(sl_numerator) AS sn, sum(sl_denominator) AS sd, "
        f"sum(wait_answered_sum_ms) AS w, sum(handle_sum_ms) AS h, count() AS n "
        f"FROM {store.db}.queue_intervals FINAL GROUP BY queue, channel, direction, t "
        f"ORDER BY queue, channel, direction, t")
    return list(zip(*result.values()))


def same_as(day: Day, store: Store, timeout: float) -> None:
    """Poll until the store's reports and 15-minute aggregates equal the reference (the last flush ends them)."""
    settings = load_settings()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reports(store, settings) == day.reports and interval_rows(store) == day.intervals:
            return
        time.sleep(0.5)
    assert reports(store, settings) == day.reports
    assert interval_rows(store) == day.intervals


def kill(name: str) -> int:
    pid = cluster_status()[name]["pid"]
    assert pid, f"{name} is not running"
    os.killpg(pid, signal.SIGKILL)  # the service's whole process group, as a crashed machine
    eventually(lambda: cluster_status()[name]["pid"] is None, 15, f"{name} gone after SIGKILL")
    return int(pid)


def drop_everywhere(cluster: ClusterInfo, db: str) -> None:
    """Drop the test's database on each replica that answers (ON CLUSTER would wait for a dead one)."""
    from clickhouse_driver import Client

    for host, port in cluster.clickhouse:
        client = Client(host, port=port, user="cckpi_admin", password=cluster.passwords["cckpi_admin"],
                        connect_timeout=2)
        try:
            client.execute(f"DROP DATABASE IF EXISTS {db}")
        except Exception as exc:  # noqa: BLE001 - cleanup only: say so, do not hide the test's own failure
            print(f"could not drop {db} on {host}:{port}: {exc}")
        finally:
            client.disconnect()
