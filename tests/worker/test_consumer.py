"""The commit order of ``BatchConsumer`` without Kafka: offsets go out only for stored batches, oldest first.

The group membership, fetching and rebalances run against real Kafka in
``test_worker_integration.py``; here a recording stand-in for aiokafka's
``commit`` checks the bookkeeping that decides *what* is committed *when*.
"""

from __future__ import annotations

import asyncio
from typing import Any, NoReturn

import pytest
from aiokafka import TopicPartition  # type: ignore[import-untyped]

from pipeline.settings import load_settings
from pipeline.worker.consumer import IN_FLIGHT, BatchConsumer


class RecordingCommits:
    def __init__(self) -> None:
        self.commits: list[dict[TopicPartition, int]] = []

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append(dict(offsets))

    def highwater(self, tp: TopicPartition) -> int:
        return 1000


class Failed(Exception):
    pass


def _fail(exc: BaseException) -> NoReturn:
    raise Failed(str(exc))


def _consumer() -> tuple[BatchConsumer, RecordingCommits, list[Any]]:
    async def never_used(messages: Any) -> Any:
        raise AssertionError("run() is not called here")

    lags: list[Any] = []
    consumer = BatchConsumer(load_settings(), never_used, _fail, on_committed=lambda offsets, _k: lags.append(offsets))
    kafka = RecordingCommits()
    consumer.consumer = kafka  # type: ignore[assignment]
    return consumer, kafka, lags


def _offsets(partition: int, offset: int) -> dict[TopicPartition, int]:
    return {TopicPartition("p.events", partition): offset}


def test_a_stored_batch_waits_for_the_older_one_before_it_is_committed() -> None:
    async def scenario() -> None:
        consumer, kafka, lags = _consumer()
        loop = asyncio.get_running_loop()
        older, newer = loop.create_future(), loop.create_future()
        consumer.pending.extend([(older, _offsets(0, 10)), (newer, _offsets(0, 20))])
        newer.set_result(None)  # the newer one is stored first
        await consumer._commit_stored(keep=len(consumer.pending))  # commit what is ready, wait for nothing
        assert kafka.commits == []  # 20 would cover the older batch's unstored messages
        older.set_result(None)
        await consumer._commit_stored(keep=IN_FLIGHT - 1)
        assert kafka.commits == [_offsets(0, 10), _offsets(0, 20)]
        assert lags == [_offsets(0, 10), _offsets(0, 20)]
        assert not consumer.pending

    asyncio.run(scenario())


def test_more_than_in_flight_batches_waits_for_the_oldest_to_be_stored() -> None:
    async def scenario() -> None:
        consumer, kafka, _ = _consumer()
        loop = asyncio.get_running_loop()
        first, second = loop.create_future(), loop.create_future()
        consumer.pending.extend([(first, _offsets(1, 5)), (second, _offsets(1, 9))])
        waiting = asyncio.ensure_future(consumer._commit_stored(keep=IN_FLIGHT - 1))
        await asyncio.sleep(0.01)
        assert not waiting.done() and kafka.commits == []  # blocked on the oldest
        first.set_result(None)
        await waiting
        assert kafka.commits == [_offsets(1, 5)]  # the second may stay in flight
        assert len(consumer.pending) == 1

    asyncio.run(scenario())


def test_a_failed_batch_is_never_committed_and_stops_the_consumer() -> None:
    async def scenario() -> None:
        consumer, kafka, _ = _consumer()
        loop = asyncio.get_running_loop()
        failed = loop.create_future()
        failed.set_exception(RuntimeError("store down"))
        consumer.pending.append((failed, _offsets(2, 7)))
        with pytest.raises(Failed, match="store down"):
            await consumer._commit_stored(keep=0)
        assert kafka.commits == []

    asyncio.run(scenario())


def test_a_rebalance_commits_everything_stored_before_giving_up_partitions() -> None:
    async def scenario() -> None:
        consumer, kafka, _ = _consumer()
        loop = asyncio.get_running_loop()
        batch = loop.create_future()
        consumer.pending.append((batch, _offsets(3, 42)))
        revoking = asyncio.ensure_future(consumer.commit_all())
        await asyncio.sleep(0.01)
        assert not revoking.done()  # the partition is not given up while its batch is being stored
        batch.set_result(None)
        await revoking
        assert kafka.commits == [_offsets(3, 42)]

    asyncio.run(scenario())
