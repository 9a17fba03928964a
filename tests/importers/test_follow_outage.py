"""While Kafka does not acknowledge a batch, the follower sends the batch again; it never checkpoints a batch
Kafka did not take, and never feeds the mapper a line twice."""

from __future__ import annotations

from pathlib import Path

import orjson

from pipeline.core.pseudonym import pseudonymiser
from pipeline.importers.follow_queue_log import Checkpoint, PublishFailed, follow
from tests.fixtures.stores import TEST_KEY

T0 = 1_793_581_200  # 2026-11-02 09:00 in Asia/Shanghai
CALL = [f"{T0}|A|sales|NONE|ENTERQUEUE||13800138000|1", f"{T0 + 12}|A|sales|SIP/1001|CONNECT|12|A2|3",
        f"{T0 + 100}|A|sales|SIP/1001|COMPLETECALLER|12|88|1"]


class FlakyKafka:
    """Refuses to acknowledge the first ``failures`` flushes; keeps what it finally acknowledged."""

    def __init__(self, failures: int) -> None:
        self.failures, self.batch, self.acknowledged, self.resends = failures, [], [], 0

    def send(self, value: bytes, key: bytes | None, dead: bool = False) -> None:
        self.batch.append((value, key, dead))

    def flush(self) -> None:
        if self.failures:
            self.failures -= 1
            raise PublishFailed("KafkaTimeoutError: Failed to update metadata after 60.0 secs.")
        self.acknowledged += self.batch
        self.batch = []

    def resend(self) -> None:
        self.resends += 1


def _follow(tmp_path: Path, kafka: FlakyKafka, stop_when) -> tuple[list[float], Checkpoint]:
    log = tmp_path / "queue_log"
    log.write_text("\n".join(CALL) + "\n")
    checkpoint, slept = Checkpoint(tmp_path / "follow.checkpoint.json"), []
    follow(log, checkpoint, kafka, stop=lambda: stop_when(checkpoint, slept), poll_seconds=0, sleep=slept.append,
           pseudonymise=pseudonymiser(TEST_KEY))
    return slept, checkpoint


def test_a_batch_is_sent_again_until_kafka_takes_it_then_checkpointed(tmp_path: Path) -> None:
    kafka = FlakyKafka(failures=3)
    slept, checkpoint = _follow(tmp_path, kafka, lambda cp, slept: cp.path.exists())
    assert slept == [1.0, 2.0, 4.0] and kafka.resends == 3  # backing off, doubling up to RETRY_MAX_S
    events = [orjson.loads(value) for value, _key, _dead in kafka.acknowledged]
    # the mapper took each line once: one offered, answered, ended and wrap-up each, not three times over
    assert sorted(e["type"] for e in events) == sorted(set(e["type"] for e in events))
    assert "contact.offered" in {e["type"] for e in events}
    assert orjson.loads(checkpoint.path.read_bytes())["offset"] == len("\n".join(CALL)) + 1


def test_stopped_while_kafka_is_away_nothing_is_checkpointed(tmp_path: Path) -> None:
    kafka = FlakyKafka(failures=100)
    slept, checkpoint = _follow(tmp_path, kafka, lambda cp, slept: len(slept) >= 2)
    assert len(slept) == 2 and kafka.acknowledged == []
    assert not checkpoint.path.exists()  # a restart reads the lines again: nothing lost


def test_kafka_publisher_turns_an_unreachable_broker_into_publish_failed_and_keeps_the_batch() -> None:
    """kafka-python against a port nobody listens on: the first send times out waiting for metadata, the rest
    of the batch is kept, not sent (one timeout per attempt), and flush says PublishFailed."""
    import socket
    import warnings

    import pytest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaProducer

    from pipeline.importers.follow_queue_log import KafkaPublisher

    with socket.socket() as probe:  # a free port, closed again: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    producer = KafkaProducer(bootstrap_servers=f"127.0.0.1:{port}", api_version=(2, 5), max_block_ms=300)
    try:
        publisher = KafkaPublisher(producer, "t.events", "t.dead-letter")
        for n in range(5):
            publisher.send(b'{"n": %d}' % n, b"k")
        assert len(publisher.batch) == 5 and publisher.pending == []  # only the first send was tried
        with pytest.raises(PublishFailed, match="KafkaTimeoutError"):
            publisher.flush()
        assert len(publisher.batch) == 5  # kept for the next attempt
        publisher.resend()
        with pytest.raises(PublishFailed):
            publisher.flush()
        assert len(publisher.batch) == 5
    finally:
        producer.close(timeout=1)
