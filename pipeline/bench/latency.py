"""End-to-end latency at a steady rate: event ``ts`` (stamped when produced) to queryable in ClickHouse.

A ``cckpi worker`` (wall clock, default batching) consumes a fresh topic.  A
producer thread sends simulated events at ``rate`` per second with ``ts`` set
to the moment of sending (and a fresh ``event_id``), through ``cckpi
produce``'s own producer settings.  The bench polls the events table every
``POLL_S`` for rows with a newer ``ingested_ms`` and takes (poll start - ts)
as each event's latency: an upper bound, to within one poll.

Baseline in the same run: a bare aiokafka consumer in its own group on the
same topic records (received - ts): what Kafka and the producer's linger cost
before any worker code runs.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson

from pipeline.bench.harness import Target, cckpi_command, cli_env, drop_database, fresh_name, median
from pipeline.core.kpi import percentile
from pipeline.settings import load_settings
from pipeline.stack.process import stop_children
from pipeline.store import probes

POLL_S = 0.05


@dataclass
class Phase:
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None
    bare_p50_s: float | None
    bare_p95_s: float | None
    sent: int
    achieved_rate: float


@dataclass
class LatencyResult:
    phases: list[Phase] = field(default_factory=list)

    def median_of(self, name: str) -> float:
        return median([getattr(p, name) for p in self.phases])


def _iso(now_s: float) -> str:
    return datetime.fromtimestamp(now_s, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _restamped(path: Path, run: str) -> Iterator[dict[str, object]]:
    """The file's events over and over, each with a fresh id; ``ts`` is set when sent."""
    for cycle in itertools.count():
        with path.open("rb") as handle:
            for number, line in enumerate(handle):
                event = orjson.loads(line)
                event["event_id"] = f"{run}-{cycle}-{number}"
                yield event


class _BareWatcher(threading.Thread):
    """A plain aiokafka consumer (own group, latest offsets) noting received - ts per message."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        super().__init__(daemon=True)
        self.bootstrap, self.topic = bootstrap, topic
        self.latencies: list[float] = []
        self.ready = threading.Event()
        self.stop = threading.Event()

    def run(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        from aiokafka import AIOKafkaConsumer  # type: ignore[import-untyped]

        consumer = AIOKafkaConsumer(self.topic, bootstrap_servers=self.bootstrap, group_id=fresh_name("bench_bare"),
                                    auto_offset_reset="latest")
        await consumer.start()
        try:
            while not self.stop.is_set():
                batches = await consumer.getmany(timeout_ms=200)
                if consumer.assignment():
                    self.ready.set()
                now = time.time()
                for messages in batches.values():
                    for message in messages:
                        ts = orjson.loads(message.value).get("ts")
                        if isinstance(ts, str):
                            self.latencies.append(now - datetime.fromisoformat(ts).timestamp())
        finally:
            await consumer.stop()


def run(target: Target, events_path: Path, rate: float, seconds: float, phases: int,
        timeout_s: float = 120.0) -> LatencyResult:
    from pipeline.kafka.admin import ensure_topics
    from pipeline.kafka.producer import Pacer, key_of, open_producer
    from pipeline.store.clickhouse_engine import ClickhouseEngine
    from pipeline.store.store_url import parse_url

    prefix = fresh_name("bench_latency")
    database = fresh_name("bench_latency")
    url = target.store_url(database)
    settings = load_settings(kafka_bootstrap=target.kafka_bootstrap, topic_prefix=prefix)
    topic = settings.topic("events")
    ensure_topics(settings, [topic, settings.topic("dead-letter")])
    engine = ClickhouseEngine(parse_url(url))
    env = cli_env(CCKPI_STORE_URL=url, CCKPI_TOPIC_PREFIX=prefix, CCKPI_KAFKA_BOOTSTRAP=target.kafka_bootstrap)
    worker = subprocess.Popen([*cckpi_command(), "worker", "--clock", "wall", "--metrics-port", "0"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watcher = _BareWatcher(target.kafka_bootstrap, topic)
    watcher.start()
    producer = open_producer(settings)
    source = _restamped(events_path, uuid.uuid4().hex[:8])
    result = LatencyResult()
    try:
        def send(event: dict[str, object]) -> None:
            event["ts"] = _iso(time.time())
            producer.send(topic, value=orjson.dumps(event), key=key_of(event))

        # warm-up: the worker has joined and stored a probe, the watcher has its partitions
        deadline = time.monotonic() + timeout_s
        last_seen = 0
        while time.monotonic() < deadline:
            send(next(source))
            producer.flush()
            try:
                stored, newest = probes.events_stored(engine, database)
                if stored and watcher.ready.is_set():
                    last_seen = newest
                    break
            except Exception:  # noqa: BLE001 - not migrated yet
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("the worker stored nothing within the time limit")

        for _ in range(phases):
            watcher.latencies.clear()
            sent = [0]

            def produce() -> None:
                pacer = Pacer(rate)
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    send(next(source))
                    sent[0] += 1
                    pacer.tick()
                producer.flush()

            thread = threading.Thread(target=produce, daemon=True)
            thread.start()
            latencies: list[float] = []
            deadline = time.monotonic() + seconds + timeout_s
            while time.monotonic() < deadline:
                polled = time.time()
                got = probes.events_ingested_after(engine, database, last_seen)
                if got:
                    latencies.extend(polled - ts / 1000.0 for ts, _ in got)
                    last_seen = max(last_seen, max(ingested for _, ingested in got))
                if not thread.is_alive() and len(latencies) >= sent[0]:
                    break
                time.sleep(POLL_S)
            thread.join()
            bare = list(watcher.latencies)
            result.phases.append(Phase(percentile(latencies, 0.50), percentile(latencies, 0.95),
                                       percentile(latencies, 0.99), percentile(bare, 0.50), percentile(bare, 0.95), sent[0],
                                       sent[0] / seconds))
        return result
    finally:
        watcher.stop.set()
        producer.close()
        stop_children([worker])
        watcher.join(timeout=10)
        engine.close()
        drop_database(target, database)
