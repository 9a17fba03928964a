"""The Kafka edge of the worker: batches in, offsets committed only after a batch is stored.

Faust hands a stream to an agent one message at a time (two tasks, a channel
queue, an iterator step and an ack per message): profiled, that path took ~70 %
of the worker and held it at ~6,400 events/s.  Our work is per batch (one store
flush per batch), so this loop takes whole batches from aiokafka's ``getmany``
and hands each to the Faust agent as one item (``faust_app.py``).  It joins the
consumer group itself and commits by hand:

* a batch closes at ``batch_max_events`` messages, ``batch_max_seconds`` after
  its first message, or as soon as the worker has read every assigned partition
  to its end (``caught_up``), whichever comes first: a backlog is read in full
  batches, and a live worker stores each trickle at once (the live grid's lag);
* its offsets are committed once it is stored (dead letters delivered, store
  flush done), in the order the batches were read; a crash before that
  re-delivers the batch, and the merge and the store are idempotent;
* at most ``IN_FLIGHT`` (2) batches are read and not yet committed: while one
  is being written to the store, the next one's intake runs;
* a rebalance waits (``on_partitions_revoked``) until every batch handed over is
  stored and committed, so no message is acknowledged without being stored; a
  batch still being read when the rebalance begins is stored after it and
  committed only for the partitions that stayed (``BatchConsumer``).  (Faust's own stream
  acked messages it skipped as stale after a rebalance: that window is gone.)

A commit refused because this worker left the group meanwhile (it was too slow
to rejoin) is logged, not fatal: the batch is stored, and the partition's new
owner reads it again, which changes no number.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition  # type: ignore[import-untyped]
from aiokafka.errors import CommitFailedError, IllegalStateError  # type: ignore[import-untyped]

from pipeline.settings import Settings
from pipeline.worker.batching import Record
from pipeline.outage import Outage

log = logging.getLogger("cckpi.worker")

SESSION_TIMEOUT_MS = 10_000  # a SIGKILLed member holds its partitions until its session expires: keep it short
HEARTBEAT_INTERVAL_MS = 3_000
REBALANCE_TIMEOUT_MS = 60_000  # room for the batch in hand to finish its flush before a rebalance goes on
FETCH_BYTES_PER_PARTITION = 4 * 1024 * 1024

IN_FLIGHT = 2  # batches read but not yet committed: one being stored while the next one's intake runs
PROBE_EVERY_S = 2.0  # while Kafka is down, ask it for metadata this often: its return ends the outage

Submit = Callable[[list[Record]], Awaitable[Awaitable[None]]]  # returns "stored", awaited before committing
OnFailure = Callable[[BaseException], NoReturn]
OnCommitted = Callable[[dict[TopicPartition, int], AIOKafkaConsumer], None]
OnAssigned = Callable[[], None]


class _FinishBatchFirst(ConsumerRebalanceListener):  # type: ignore[misc]
    """Partitions are given up only between batches: after every batch read is stored and committed."""

    def __init__(self, owner: BatchConsumer) -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self.owner.commit_all()
        log.info("giving up %s", _names(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        log.info("partitions assigned: %s", _names(assigned))
        if self.owner.on_assigned is not None:
            self.owner.on_assigned()


def _names(partitions: Any) -> str:
    return ", ".join(sorted(f"{tp.topic}/{tp.partition}" for tp in partitions)) or "none"


def create_consumer(settings: Settings) -> AIOKafkaConsumer:
    """A group member with manual commits (call it inside the event loop that will run it)."""
    return AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=settings.worker_group,
        client_id=f"cckpi-worker-{settings.worker_group}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
        rebalance_timeout_ms=REBALANCE_TIMEOUT_MS,
        max_partition_fetch_bytes=FETCH_BYTES_PER_PARTITION,
    )


class BatchConsumer:
    """``run`` reads batches and ``submit``s them; commits each, in order, once it is stored.

    ``submit(messages)`` returns an awaitable that completes when the batch is
    stored; if it raises, ``on_failure`` ends the process with nothing of that
    batch committed.  ``in_batch`` is held while a batch read is handed over
    and committed, and by a rebalance while it drains, so the two never
    interleave.  Reading happens outside it (see ``run``): a batch read while a
    rebalance begins is handed over after it, stored (which is idempotent), and
    its offsets are committed only if its partitions stayed here (aiokafka
    refuses the others; their new owner reads them again).
    """

    def __init__(self, settings: Settings, submit: Submit, on_failure: OnFailure,
                 on_committed: OnCommitted | None = None, outage: Outage | None = None,
                 on_assigned: OnAssigned | None = None) -> None:
        self.settings = settings
        self.outage = outage or Outage("Kafka")
        self._probed = 0.0
        self.submit = submit
        self.on_failure = on_failure
        self.on_committed = on_committed
        self.on_assigned = on_assigned  # after every rebalance, before a batch of the new assignment is read
        self.in_batch = asyncio.Lock()
        self.pending: deque[tuple[Awaitable[None], dict[TopicPartition, int]]] = deque()
        self.consumer: AIOKafkaConsumer | None = None

    async def run(self) -> None:
        consumer = self.consumer = create_consumer(self.settings)  # aiokafka binds to the running loop here
        consumer.subscribe([self.settings.topic("events")], listener=_FinishBatchFirst(self))
        await consumer.start()
        try:
            while True:
                if self.outage.down:
                    await self._probe(consumer)
                # Read outside ``in_batch``: while the group rebalances, aiokafka's getmany waits for the new
                # assignment, and the rebalance waits (``on_partitions_revoked``) for ``in_batch``.  Holding it
                # here deadlocked the worker after a Kafka outage that expired its session.
                records = await self._next_batch(consumer)
                async with self.in_batch:
                    if records:
                        self.outage.ok()
                        messages = [r for batch in records.values() for r in batch]
                        offsets = {tp: batch[-1].offset + 1 for tp, batch in records.items() if batch}
                        self.pending.append((await self.submit(messages), offsets))
                    await self._commit_stored(keep=IN_FLIGHT - 1)
        finally:  # stopping: commit what is stored already; a batch not yet stored is read again after a restart
            try:
                read = len(self.pending)
                await self._commit_stored(keep=read)
                log.info("stopping: committed %d stored batches; %d not stored yet are read again after a restart",
                         read - len(self.pending), len(self.pending))
            finally:
                await consumer.stop()  # leaves the group

    async def _probe(self, consumer: AIOKafkaConsumer) -> None:
        """Kafka is down (its client's errors say so): a metadata request that succeeds means it is back.

        Without it an idle worker would never notice the end of an outage
        (no message arrives to say so)."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._probed < PROBE_EVERY_S:
            return
        self._probed = loop.time()
        try:
            await consumer.topics()
        except Exception as exc:  # noqa: BLE001 - still down: one more retry of the outage
            self.outage.failed(exc)
        else:
            self.outage.ok()

    async def commit_all(self) -> None:
        """Wait for every batch read to be stored, committing each (a rebalance calls this)."""
        async with self.in_batch:
            await self._commit_stored(keep=0)

    async def _commit_stored(self, keep: int) -> None:
        """Commit the oldest batches that are stored; wait for them while more than ``keep`` are pending."""
        assert self.consumer is not None
        while self.pending:
            stored, offsets = self.pending[0]
            if len(self.pending) <= keep and not _is_done(stored):
                return
            try:
                await stored
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - nothing of a failed batch may be committed
                self.on_failure(exc)
            self.pending.popleft()
            await self._commit(self.consumer, offsets)

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            log.warning("batch stored but its offsets not committed (the group moved on; the new owner "
                        "reads it again, which changes no number): %s", exc)
            return
        self.outage.ok()
        if self.on_committed is not None:
            self.on_committed(offsets, consumer)

    async def _next_batch(self, consumer: AIOKafkaConsumer) -> dict[TopicPartition, list[Any]]:
        """Wait up to ``batch_max_seconds`` for a first message, then for more until the batch is full, the
        window ends, or nothing more is waiting (``caught_up``): a live worker stores what came at once
        instead of sitting out the window, and a backlog still comes in full batches."""
        limit = self.settings.batch_max_events
        window_ms = int(self.settings.batch_max_seconds * 1000)
        records: dict[TopicPartition, list[Any]] = await consumer.getmany(timeout_ms=window_ms, max_records=limit)
        if not records:
            return records
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.batch_max_seconds
        count = sum(len(batch) for batch in records.values())
        while count < limit and not await caught_up(consumer) and (remaining := deadline - loop.time()) > 0:
            more = await consumer.getmany(timeout_ms=max(1, int(remaining * 1000)), max_records=limit - count)
            for tp, batch in more.items():
                records.setdefault(tp, []).extend(batch)
                count += len(batch)
        return records


async def caught_up(consumer: AIOKafkaConsumer) -> bool:
    """Every assigned partition has been read up to its end as the last fetch saw it (position = highwater).

    Records produced since that fetch go into the next batch, which begins at
    once.  A partition not fetched yet (no highwater), or a rebalance under way,
    counts as not caught up: the batch then waits out its window, as it always did."""
    try:
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None or await consumer.position(tp) < highwater:
                return False
    except (IllegalStateError, AssertionError):  # unassigned meanwhile (aiokafka asserts in ``highwater``)
        return False
    return True


def _is_done(stored: Awaitable[None]) -> bool:
    return isinstance(stored, asyncio.Future) and stored.done()
