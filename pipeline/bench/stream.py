"""Worker throughput and peak memory from a pre-filled topic, against a bare consumer of the same topic.

The topic is filled once with the simulated file (``cckpi produce``'s own code:
keyed by contact, 4 partitions).  Then, alternately and in the same run:

- the bare baseline: one aiokafka consumer that reads every message and
  ``orjson``-decodes it, nothing else (the ceiling of any Python consumer here);
- ``cckpi worker --clock events --metrics-port 0`` as a subprocess, a fresh
  consumer group and ClickHouse database each run, until every event, every
  contact fact and the last batch's 15-minute aggregates are stored.

The worker's rate counts from its first stored batch (Faust's start-up and
the group join are excluded, and so are the first batch's events) to the end
of its last flush; its peak RSS is the kernel's high-water mark (VmHWM).
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from pipeline.bench.harness import Target, cckpi_command, cli_env, drop_database, fresh_name
from pipeline.settings import load_settings
from pipeline.stack.process import stop_children
from pipeline.store import probes

PARTITIONS = 4


def expected_events(path: Path) -> int:
    """Distinct valid event ids in the file: what the worker stores (it drops repeats and dead-letters)."""
    from pipeline.core.decode import Accepted, decode

    ids: set[str] = set()
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                outcome = decode(line.strip())
                if isinstance(outcome, Accepted):
                    ids.add(outcome.event.event_id)
    return len(ids)


def fill_topic(target: Target, prefix: str, path: Path, partitions: int = PARTITIONS) -> int:
    """Publish the file to ``<prefix>.events`` (and create the dead-letter topic); returns the message count."""
    from pipeline.kafka.admin import ensure_topics
    from pipeline.kafka.producer import file_lines, open_producer, produce_lines

    settings = load_settings(kafka_bootstrap=target.kafka_bootstrap, topic_prefix=prefix,
                             topic_partitions=partitions)
    ensure_topics(settings, [settings.topic("events"), settings.topic("dead-letter")])
    producer = open_producer(settings)
    try:
        return produce_lines(producer, settings.topic("events"), file_lines([str(path)])).sent
    finally:
        producer.close()


async def _bare(bootstrap: str, topic: str, expected: int) -> tuple[float, int]:
    from aiokafka import AIOKafkaConsumer  # type: ignore[import-untyped]

    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
                                enable_auto_commit=False, max_partition_fetch_bytes=4 * 1024 * 1024,
                                fetch_max_bytes=16 * 1024 * 1024)
    await consumer.start()
    try:
        count = 0
        began: float | None = None
        loads = orjson.loads
        while count < expected:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10000)
            if began is None and batches:
                began = time.perf_counter()
            for messages in batches.values():
                for message in messages:
                    loads(message.value)
                count += len(messages)
        return time.perf_counter() - (began or time.perf_counter()), count
    finally:
        await consumer.stop()


def bare_consumer(target: Target, prefix: str, expected: int) -> float:
    """Events per second of read + JSON decode, from the first fetched batch to the last message."""
    seconds, count = asyncio.run(_bare(target.kafka_bootstrap, f"{prefix}.events", expected))
    return count / seconds if seconds > 0 else float("nan")


@dataclass
class WorkerRun:
    events_per_s: float
    seconds: float
    peak_rss_mb: float
    startup_s: float


def _peak_rss_mb(pid: int) -> float:
    """VmHWM of the process: its resident high-water mark, in MB."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def run_worker(target: Target, prefix: str, expected: int, messages: int, timeout_s: float = 900.0,
               extra_env: dict[str, str] | None = None, code: Path | None = None, workers: int = 1) -> WorkerRun:
    """``workers`` ``cckpi worker``s of one group from offset 0 of the pre-filled topic to everything stored;
    then SIGTERM.

    ``expected``: distinct valid events (stored rows); ``messages``: the topic's messages (the rate's count).
    ``code``: run the ``pipeline`` package of another tree (an older commit, for before/after figures).
    Peak RSS is the largest worker's.
    """
    from pipeline.store.clickhouse_engine import ClickhouseEngine
    from pipeline.store.store_url import parse_url
    from pipeline.store.migrations import migrate

    database = fresh_name("bench_worker")
    url = target.store_url(database)
    env = cli_env(CCKPI_STORE_URL=url, CCKPI_TOPIC_PREFIX=prefix, CCKPI_CONSUMER_GROUP=fresh_name("bench_group"),
                  CCKPI_KAFKA_BOOTSTRAP=target.kafka_bootstrap, **(extra_env or {}))
    if code is not None:
        env["PYTHONPATH"] = str(code)  # and the working folder: `python -m` puts it before PYTHONPATH
    engine = ClickhouseEngine(parse_url(url))  # creates the database
    if workers > 1:
        migrate(engine)  # once, before the workers start at the same moment
    spawned = time.time()
    processes = [subprocess.Popen([*cckpi_command(), "worker", "--clock", "events", "--metrics-port", "0"], env=env,
                                  cwd=code,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(workers)]
    try:
        deadline = time.monotonic() + timeout_s
        done_at: float | None = None
        progress = (0, 0, 0, 0, 0)
        while time.monotonic() < deadline:
            for process in processes:
                if process.poll() is not None:
                    raise RuntimeError(f"a worker exited with {process.returncode}: "
                                       f"{(process.stderr.read() if process.stderr else b'').decode()[-2000:]}")
            try:
                progress = probes.worker_progress(engine, database)
            except Exception:  # noqa: BLE001 - tables not migrated yet
                time.sleep(0.2)
                continue
            n, _first, _first_n, facts_version, intervals_version = progress
            # the last flush writes events, then facts, then rebuilds intervals with a later version
            if n >= expected and intervals_version > facts_version > 0:
                done_at = time.time()
                break
            time.sleep(0.1)
        peak = max(_peak_rss_mb(process.pid) for process in processes)
        if done_at is None:
            raise RuntimeError(f"the worker stored {progress[0]:,} of {expected:,} events in {timeout_s:.0f} s")
        _, first_ms, first_n, _, _ = progress
        seconds = done_at - first_ms / 1000.0
        # the first flush's messages were read before the clock started; a repeat is work too
        return WorkerRun((messages - first_n) / seconds, seconds, peak, first_ms / 1000.0 - spawned)
    finally:
        stop_children(processes)
        engine.close()
        drop_database(target, database)
