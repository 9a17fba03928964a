"""Events into Kafka: the source end of the live pipeline (``cckpi produce``, ``simulate --live``).

The message key decides the partition, and a partition is consumed by one
worker in order, so a contact's events are keyed by ``contact_id`` (its
assembly stays on one worker) and agent-only events by ``agent_id``.  A line
that is not a JSON object is still sent, as-is and unkeyed: rejecting it is the
worker's job (dead-letter topic with the reason), not the producer's.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from pipeline.settings import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka import KafkaProducer  # type: ignore[import-untyped]

_AGENT_KEYED = ("agent.", "complaint.")


def message_key(raw: bytes) -> bytes | None:
    """contact_id for contact/survey/qa events, agent_id for agent and complaint events, else None."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return key_of(record)


def key_of(record: Any) -> bytes | None:
    """The key of an already-parsed record (the simulator hands over dicts)."""
    if not isinstance(record, dict):
        return None
    kind = record.get("type")
    order = ("agent_id", "contact_id") if isinstance(kind, str) and kind.startswith(_AGENT_KEYED) else (
        "contact_id", "agent_id")
    for name in order:
        value = record.get(name)
        if isinstance(value, str) and value:
            return value.encode()
    return None


@dataclass
class ProduceSummary:
    sent: int = 0
    unkeyed: int = 0
    seconds: float = 0.0
    by_topic: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else 0.0


class Pacer:
    """Keeps a long-run rate: sleeps when ``n`` messages came sooner than ``n / rate`` seconds."""

    def __init__(self, rate: float | None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate, self._clock, self._sleep = rate, clock, sleep
        self._start = clock()
        self._count = 0

    def tick(self) -> None:
        self._count += 1
        if not self.rate:
            return
        due = self._start + self._count / self.rate
        ahead = due - self._clock()
        if ahead > 0.002:
            self._sleep(ahead)


def open_producer(settings: Settings) -> KafkaProducer:
    """Batched, acks=all and idempotent: nothing reported as sent is lost, nothing is doubled by a retry.

    On a replicated cluster (docs/scale-out.md) acks=all waits for
    ``min.insync.replicas`` brokers, and idempotence lets the producer retry
    through a leader change without writing a message twice.
    """
    return KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all", enable_idempotence=True, linger_ms=20,
                         batch_size=512 * 1024, max_request_size=4 * 1024 * 1024,
                         client_id="cckpi-produce")


def produce_lines(producer: KafkaProducer, topic: str, lines: Iterable[bytes], rate: float | None = None,
                  on_sent: Callable[[int], None] = lambda n: None) -> ProduceSummary:
    """Send each non-blank line as one message; flushes before returning so every count is delivered."""
    summary = ProduceSummary()
    pacer = Pacer(rate)
    began = time.perf_counter()
    for line in lines:
        line = line.strip()
        if not line:
            continue
        _send(producer, topic, line, message_key(line), summary, on_sent, every=10000)
        pacer.tick()
    return _flushed(producer, topic, summary, began)


def _send(producer: KafkaProducer, topic: str, value: bytes, key: bytes | None, summary: ProduceSummary,
          on_sent: Callable[[int], None], every: int) -> None:
    """One message sent and counted; ``on_sent`` hears of every ``every``-th."""
    producer.send(topic, value=value, key=key)
    summary.sent += 1
    summary.unkeyed += key is None
    if summary.sent % every == 0:
        on_sent(summary.sent)


def _flushed(producer: KafkaProducer, topic: str, summary: ProduceSummary, began: float) -> ProduceSummary:
    """Every message delivered (flush waits for the acknowledgements) before the summary counts them sent."""
    producer.flush()
    summary.seconds = time.perf_counter() - began
    summary.by_topic[topic] = summary.sent
    return summary


def file_lines(paths: Iterable[str]) -> Iterable[bytes]:
    for path in paths:
        with open(path, "rb") as handle:
            yield from handle


def _ts_seconds(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(event["ts"])).timestamp()


def stream_live(producer: KafkaProducer, topic: str, events: Iterable[dict[str, Any]], speed: float = 1.0,
                clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                on_sent: Callable[[int], None] = lambda n: None) -> ProduceSummary:
    """Send time-ordered events when their moment comes: ``ts`` distance / ``speed`` after the first.

    So ``speed`` 1 replays a day in a day (a live feed) and 60 a day in 24 minutes.
    """
    summary = ProduceSummary()
    began = time.perf_counter()
    first_ts: float | None = None
    start = clock()
    for event in events:
        ts = _ts_seconds(event)
        if first_ts is None:
            first_ts = ts
        ahead = start + (ts - first_ts) / speed - clock()
        if ahead > 0.005:
            producer.flush()  # what is due now goes out before we wait
            sleep(ahead)
        _send(producer, topic, orjson.dumps(event), key_of(event), summary, on_sent, every=1000)
    return _flushed(producer, topic, summary, began)
