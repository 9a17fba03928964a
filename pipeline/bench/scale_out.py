"""Scale-out figures on the cluster (`cckpi stack up --cluster`; docs/scale-out.md).

- ``scale``: worker throughput with 1, 2 and 3 workers of one consumer group,
  each count from offset 0 of the same pre-filled topic (6 partitions, so 2
  and 3 workers get equal shares) into a fresh replicated database; the
  figure counts like the single worker's (``stream.run_worker``).
- ``broker``: the pause in producer acknowledgements when the leader of the
  partition being written is killed with SIGKILL: a paced idempotent
  ``acks=all`` producer records when each message is acknowledged; the pause
  is the longest gap between two acknowledgements around the kill.  Every
  message is then read back (nothing lost, nothing doubled) and the broker is
  restarted with ``cckpi stack up --cluster``.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.bench import stream
from pipeline.bench.harness import Target, fresh_name
from pipeline.settings import Settings

SCALE_PARTITIONS = 6  # divisible by 1, 2 and 3 workers


@dataclass
class Scaling:
    messages: int
    expected: int
    by_workers: dict[int, list[float]] = field(default_factory=dict)  # workers -> events/s of each run


def workers_scaling(target: Target, path: Path, counts: tuple[int, ...], runs: int,
                    log: Callable[[str], None]) -> Scaling:
    prefix = fresh_name("bench_scale")
    messages = stream.fill_topic(target, prefix, path, partitions=SCALE_PARTITIONS)
    result = Scaling(messages, stream.expected_events(path))
    for workers in counts:
        for run in range(runs):
            measured = stream.run_worker(target, prefix, result.expected, messages, workers=workers)
            result.by_workers.setdefault(workers, []).append(measured.events_per_s)
            log(f"  {workers} worker(s), run {run + 1}: {measured.events_per_s:,.0f} events/s "
                f"({measured.seconds:.1f} s, peak RSS {measured.peak_rss_mb:.0f} MB)")
    return result


@dataclass
class BrokerFailover:
    sent: int
    read_back: int
    killed: str
    pause_s: float  # longest gap between two acknowledgements from the kill on
    normal_gap_s: float  # longest gap before the kill, for comparison
    errors: int


def _leader(settings: Settings, topic: str) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, client_id="cckpi-bench")
    try:
        partitions = admin.describe_topics([topic])[0]["partitions"]
        # kafka-python 3 names the fields as the protocol does; 2.x used partition/leader
        first = next(p for p in partitions if p.get("partition_index", p.get("partition")) == 0)
        return int(first.get("leader_id", first.get("leader")))
    finally:
        admin.close()


def _read_back(settings: Settings, topic: str, expected: int, timeout_s: float = 60) -> int:
    """Distinct message values in the topic (each carries its sequence number)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaConsumer

    consumer = KafkaConsumer(topic, bootstrap_servers=settings.kafka_bootstrap, auto_offset_reset="earliest",
                             group_id=None, consumer_timeout_ms=3000)
    seen: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(seen) < expected and time.monotonic() < deadline:
            seen.extend(message.value for message in consumer)
    finally:
        consumer.close()
    if len(seen) != len(set(seen)):
        raise RuntimeError(f"{len(seen) - len(set(seen))} messages were written twice")
    return len(set(seen))


def broker_failover(settings: Settings, rate: float, before_s: float, after_s: float,
                    log: Callable[[str], None]) -> BrokerFailover:
    """Kill the leader of partition 0 of a fresh RF-3 topic while writing to it; restart it afterwards."""
    from pipeline.kafka.admin import ensure_topics
    from pipeline.kafka.producer import Pacer, open_producer
    from pipeline.stack import manager

    topic = fresh_name("bench_acks")
    one = settings.model_copy(update={"topic_partitions": 1})
    ensure_topics(one, [topic])
    acks: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def acked(_metadata: object) -> None:
        with lock:
            acks.append(time.monotonic())

    producer = open_producer(settings)
    pacer = Pacer(rate)
    sent = 0
    killed_at: float | None = None
    killed = ""
    began = time.monotonic()
    try:
        while time.monotonic() - began < before_s + after_s:
            producer.send(topic, value=str(sent).encode()).add_callback(acked).add_errback(errors.append)
            sent += 1
            pacer.tick()
            if killed_at is None and time.monotonic() - began >= before_s:
                leader = _leader(settings, topic)
                killed = f"kafka-{leader}"
                ctx = manager.context(settings, cluster=True)
                service = next(s for s in manager.services(settings, True) if s.name == killed)
                pid = manager.running(ctx, service)
                if pid is None:
                    raise RuntimeError(f"{killed} (the partition leader) is not a process of this cluster")
                os.killpg(pid, signal.SIGKILL)
                killed_at = time.monotonic()
                log(f"  killed {killed} (leader of {topic}/0, pid {pid}) after {sent:,} messages")
        producer.flush(timeout=120)
    finally:
        producer.close()
        manager.up(settings, lambda line: log("  " + line) if ": started" in line else None, cluster=True)
    assert killed_at is not None
    ordered = sorted(acks)
    gaps_after = [b - a for a, b in zip(ordered, ordered[1:]) if b >= killed_at]
    gaps_before = [b - a for a, b in zip(ordered, ordered[1:]) if b < killed_at]
    return BrokerFailover(sent=sent, read_back=_read_back(settings, topic, sent), killed=killed,
                          pause_s=max(gaps_after, default=0.0), normal_gap_s=max(gaps_before, default=0.0),
                          errors=len(errors))
