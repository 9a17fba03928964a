"""Real-Kafka worker tests: a fresh topic prefix, consumer group and ClickHouse database per test.

The worker runs as a ``cckpi worker`` subprocess (so SIGKILL is a real crash)
with its settings in the environment, exactly as a user would start it.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.batch import replay
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import Settings, load_settings
from pipeline.simulate.config import SimulationConfig
from pipeline.simulate.engine import generate
from pipeline.stack.process import stop_children
from pipeline.store.store import Store
from tests.fixtures.http import get_text
from tests.fixtures.ports import free_port
from tests.fixtures.stores import TEST_KEY

RANGE = (1793462400000, 1794326400000)  # 2026-11-01 .. 2026-11-11 in Asia/Shanghai: the day and its late events
GROUPINGS = (("queue",), ("agent",), ("queue", "channel", "interval"))


def admin_base() -> str:
    admin = os.environ.get("CCKPI_ADMIN_STORE_URL")
    assert admin, "the stack fixture exports CCKPI_ADMIN_STORE_URL"
    return admin.rsplit("/", 1)[0]


def reports(store: Store, settings: Settings) -> list[list[dict[str, Any]]]:
    return [build_report(store, ReportRequest(*RANGE, by=by, interval="1h"), settings) for by in GROUPINGS]


def queue_interval_rows(store: Store) -> list[tuple[Any, ...]]:
    result = store.engine.query(
        f"SELECT queue, channel, direction, toUInt32(interval_start) AS t, offered, answered, abandoned, "
        f"sl_numerator, sl_denominator, wait_answered_sum_ms, handle_sum_ms "
        f"FROM {store.db}.queue_intervals FINAL ORDER BY queue, channel, direction, t")
    return list(zip(*result.values()))


@dataclass
class Day:
    """A simulated day, shuffled with repeats, and what a replay of it gives."""

    path: Path
    distinct: int
    messages: int
    reports: list[list[dict[str, Any]]]
    intervals: list[tuple[Any, ...]]


def make_day(tmp: Path, contacts: int, seed: int) -> Day:
    lines = [orjson.dumps(e) for e in generate(SimulationConfig(contacts=contacts, seed=seed))]
    rng = random.Random(seed)
    messy = lines + rng.sample(lines, len(lines) // 20)
    rng.shuffle(messy)
    return replayed(tmp / f"day-{contacts}-{seed}.jsonl", messy)


def replayed(path: Path, lines: list[bytes]) -> Day:
    """``lines`` written to ``path``, and what a replay of them gives."""
    path.write_bytes(b"\n".join(lines) + b"\n")
    distinct = len({orjson.loads(line)["event_id"] for line in lines})
    settings = load_settings()
    store = Store.open(f"{admin_base()}/r_{uuid.uuid4().hex[:12]}")
    try:
        replay([str(path)], store, settings, pseudonymiser(TEST_KEY), path.with_suffix(".dead-letter.jsonl"))
        return Day(path, distinct, len(lines), reports(store, settings), queue_interval_rows(store))
    finally:
        store.engine.command(f"DROP DATABASE IF EXISTS {store.db}")
        store.close()


@dataclass
class Pipeline:
    """One test's topics, database and workers."""

    tmp: Path
    prefix: str = field(default_factory=lambda: "t" + uuid.uuid4().hex[:12])
    db: str = field(default_factory=lambda: "w_" + uuid.uuid4().hex[:12])
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def store_url(self) -> str:
        return f"{admin_base()}/{self.db}"

    def env(self, port: int) -> dict[str, str]:
        return {**os.environ, "CCKPI_TOPIC_PREFIX": self.prefix, "CCKPI_STORE_URL": self.store_url,
                "CCKPI_WORKER_METRICS_PORT": str(port), "CCKPI_PSEUDONYM_KEY": TEST_KEY.decode(),
                "CCKPI_DATA_DIR": str(self.tmp / "data"), **self.extra_env}

    @property
    def settings(self) -> Settings:
        return load_settings(topic_prefix=self.prefix, store_url=self.store_url)

    def start_worker(self, *args: str) -> subprocess.Popen[bytes]:
        port = free_port()
        log = open(self.tmp / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115 - the process holds it
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli.main", "worker", "--clock", "events",
                                 "--gauge-interval", "1", "--loglevel", "info", *args],
                                env=self.env(port), stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        self.ports.append(port)
        return proc

    def wait_ready(self, proc: subprocess.Popen[bytes], timeout: float = 45) -> None:
        """Until the worker holds partitions of the events topic (it logs "partitions assigned: <topic>/<n>")."""
        log = self.tmp / f"worker-{self.workers.index(proc)}.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"worker exited {proc.returncode}:\n{log.read_text()[-3000:]}"
            if re.search(rb"partitions assigned: (?!none)", log.read_bytes()):
                return
            time.sleep(0.2)
        pytest.fail(f"worker not ready in {timeout} s:\n{log.read_text()[-3000:]}")

    def produce(self, path: Path) -> None:
        result = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "produce", str(path)],
                                env=self.env(0), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr

    def stored_events(self, store: Store) -> int:
        return int(store.engine.query(f"SELECT count() AS n FROM {self.db}.events FINAL")["n"][0])

    def wait_stored(self, store: Store, expected: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        count = 0
        while time.monotonic() < deadline:
            for proc in self.workers:
                assert proc.poll() in (None, 0, -signal.SIGKILL), f"a worker failed with {proc.returncode}"
            count = self.stored_events(store)
            if count >= expected:
                assert count == expected
                return
            time.sleep(0.5)
        pytest.fail(f"only {count} of {expected} events stored after {timeout} s")

    def uncommitted(self) -> int:
        """Messages of the events topic the group has not committed (read from Kafka, not from a worker)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from kafka import KafkaConsumer, TopicPartition

        settings = self.settings
        group = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, group_id=settings.worker_group,
                              enable_auto_commit=False)  # never subscribes: only reads the committed offsets
        try:
            topic = settings.topic("events")
            partitions = [TopicPartition(topic, p) for p in sorted(group.partitions_for_topic(topic) or [])]
            ends = group.end_offsets(partitions)
            return sum(end - (group.committed(tp) or 0) for tp, end in ends.items())
        finally:
            group.close()

    def log(self, index: int) -> str:
        return (self.tmp / f"worker-{index}.log").read_text(errors="replace")

    def metrics(self, index: int = 0) -> str:
        return get_text(f"http://127.0.0.1:{self.ports[index]}/metrics")

    def stop_all(self) -> None:
        stop_children(self.workers)


def eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll until ``check()`` holds: a flush writes events, then contacts, then intervals, then counters."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.3)


def metric_value(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text format (None when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    total: float | None = None
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        sample_labels = head[len(name):]
        if sample_labels.startswith("{"):
            parts = ",".join(sorted(sample_labels.strip("{}").split(",")))
            if want and not all(f'{k}="{v}"' in parts.split(",") for k, v in labels.items()):
                continue
        elif sample_labels:
            continue
        total = (total or 0.0) + float(value)
    return total


@pytest.fixture
def pipeline(stack: Any, tmp_path: Path) -> Iterator[Pipeline]:
    run = Pipeline(tmp_path)
    store = Store.open(run.store_url)  # creates the fresh database and its tables
    store.close()
    yield run
    run.stop_all()
    cleanup = Store.open(run.store_url, migrate_schema=False)
    cleanup.engine.command(f"DROP DATABASE IF EXISTS {run.db}")
    cleanup.close()


@pytest.fixture(scope="session")
def day(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Day:
    """The issue's day: 20,000 contacts (about 186,000 events) plus 5 % repeats, shuffled."""
    return make_day(tmp_path_factory.mktemp("day"), contacts=20_000, seed=4)


@pytest.fixture(scope="session")
def small_day(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Day:
    """A smaller day for the crash and two-worker tests (about 37,000 events)."""
    return make_day(tmp_path_factory.mktemp("small"), contacts=4_000, seed=9)
