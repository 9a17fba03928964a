"""When ``BatchConsumer`` closes a batch, against real Kafka: full batches from a backlog, at once when caught up.

The live grid's lag was the 1 s batch window: a worker that has read every
partition to its end now hands over what it has instead of waiting for more,
while a backlog still comes in batches of ``batch_max_events`` (the worker's
throughput rests on that: one store flush per batch).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, NoReturn

import pytest
from aiokafka import AIOKafkaProducer  # type: ignore[import-untyped]

from pipeline.kafka.admin import ensure_topics
from pipeline.settings import Settings, load_settings
from pipeline.worker.consumer import BatchConsumer

pytestmark = pytest.mark.integration

FULL = 100
WINDOW_S = 5.0  # long, so that waiting it out cannot pass for closing at once


def _fail(exc: BaseException) -> NoReturn:
    raise AssertionError(f"batch failed: {exc!r}")


async def _produce(settings: Settings, count: int, start: int) -> float:
    """``count`` messages spread over the partitions by key; when Kafka acknowledged the last one."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        sent = [await producer.send(settings.topic("events"), value=b"{}", key=str(start + n).encode())
                for n in range(count)]
        await asyncio.gather(*sent)
        return time.monotonic()
    finally:
        await producer.stop()


async def _until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        await asyncio.sleep(0.02)


def test_a_backlog_comes_in_full_batches_and_a_trickle_is_handed_over_at_once(stack: Any) -> None:
    settings = load_settings(topic_prefix="t" + uuid.uuid4().hex[:12], batch_max_events=FULL,
                             batch_max_seconds=WINDOW_S)
    ensure_topics(settings, [settings.topic("events")])
    batches: list[tuple[float, int]] = []  # (when handed over, size)

    async def submit(messages: list[Any]) -> Any:
        batches.append((time.monotonic(), len(messages)))
        done = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    async def scenario() -> None:
        await _produce(settings, 2 * FULL + 50, 0)  # the backlog: before the consumer starts
        consumer = BatchConsumer(settings, submit, _fail)
        running = asyncio.ensure_future(consumer.run())
        try:
            await _until(lambda: sum(size for _, size in batches) >= 2 * FULL + 50, 60, "the backlog read")
            sizes = [size for _, size in batches]
            assert sum(sizes) == 2 * FULL + 50 and sizes[:2] == [FULL, FULL], sizes

            for round_ in range(3):  # caught up: a few messages go out in far less than the window
                handed = len(batches)
                acknowledged = await _produce(settings, 3, 1000 + 3 * round_)
                await _until(lambda: sum(size for _, size in batches[handed:]) >= 3, WINDOW_S * 3, "the trickle")
                waited = batches[-1][0] - acknowledged
                assert waited < WINDOW_S / 2, f"round {round_}: handed over {waited:.2f} s after Kafka had it"
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)

    asyncio.run(scenario())
