"""The ``ingest`` agent: a batch of Kafka records through the chain (``pipeline.ingest.chain``), with the worker's
ends, its offsets released once stored.

The worker runs the chain's steps in five stretches because it changes
thread between them: up to the dead letters on the event loop (delivery
awaited before the batch goes on), the events on the sink's events thread
while the contacts and their links are written on its store thread (two
independent writes at once), refresh on its refresh thread (``sink.Sink``, which waits out store
outages; the next batch's write does not wait for this one's rebuild), commit
back on the loop (``Work.stored`` resolves and the consumer commits, in read order).  So
batch N+1's intake overlaps batch N's flush (``consumer.IN_FLIGHT`` bounds
it).  Any error resolves ``Work.stored`` with it, and the consumer ends the
process without committing: Kafka re-delivers, and the idempotent store makes
the re-delivery change no number.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from pipeline.core.intake import Intake
from pipeline.ingest import gc_pause
from pipeline.ingest.chain import Chain, Ends, Load
from pipeline.worker import batching
from pipeline.worker.clock import Clock
from pipeline.worker.exporter import WorkerMetrics
from pipeline.worker.sink import Sink


@dataclass
class Work:
    """One batch on its way through the agent; ``stored`` resolves when its offsets may be committed."""

    messages: list[batching.Record]
    stored: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


@dataclass
class WorkLoad(Load):
    """The chain's load of one ``Work``."""

    work: Work | None = None


def worker_chain(intake: Intake, sink: Sink, send_dead_letter: Callable[[bytes], Awaitable[Any]],
                 metrics: WorkerMetrics, clock: Clock) -> Chain:
    """The chain with the worker's ends: dead letters to the Kafka topic, the refresher's rebuild (now, or deferred
    while a backlog is read), and the commit: the batch counted, the clock moved, the offsets released."""

    async def dead_letters(load: Load) -> None:
        sent = [await send_dead_letter(batching.dead_letter_record(letter)) for letter in load.batch.dead_letters]
        await asyncio.gather(*sent)

    def commit(load: Load) -> None:
        assert isinstance(load, WorkLoad) and load.work is not None
        done = batching.tally(load)
        metrics.count(done.consumed, done.rejected, done.duplicates, done.conflicting)
        clock.seen(done.newest_ts_ms)
        load.work.stored.set_result(None)

    ends = Ends(dead_letters=dead_letters, refresh=lambda load: sink.refresher.after_flush(load.touched, load.full),
                commit=commit)
    return Chain(intake, sink.store, sink.settings, ends, on_time_conflicts=metrics.time_conflicts.inc,
                 events_store=sink.events_store)


class IngestAgent:
    """The agent's body and its two ends: ``run`` (batches from the consumer) and ``_release`` (back to it)."""

    def __init__(self, chain: Chain, sink: Sink) -> None:
        self.chain = chain
        self.sink = sink
        self._storing: set[asyncio.Task[None]] = set()

    async def run(self, stream: AsyncIterator[Work]) -> None:
        """The chain up to the dead letters here; store to refresh on the sink's thread while the next batch comes in."""
        async for work in stream:
            gc_pause.pause()  # held over the batch's life: resumed once it is committed and let go (_release)
            load = WorkLoad(messages=batching.raw_messages(work.messages), where=batching.source_of, work=work,
                            full=len(work.messages) >= self.sink.settings.batch_max_events)
            try:
                await self.chain.run_async(load, last="dead letters")
            except asyncio.CancelledError:
                gc_pause.resume()
                work.stored.cancel()  # stopping: the batch stays uncommitted and is read again on restart
                raise
            except Exception as exc:  # noqa: BLE001 - the consumer dies on it, committing nothing
                gc_pause.resume()
                work.stored.set_exception(exc)
                continue
            flushing = self.sink.submit(lambda load=load: self.chain.run(load, "events", "events"),
                                        lambda load=load: self.chain.run(load, "contacts", "link"),
                                        lambda load=load: self.chain.run(load, "refresh", "refresh"))
            task = asyncio.ensure_future(self._release(load, flushing))
            self._storing.add(task)
            task.add_done_callback(self._storing.discard)

    async def _release(self, load: WorkLoad, flushing: Future[float]) -> None:
        """Once the store returned: the chain's commit step; then the batch let go and its collector pause ended."""
        assert load.work is not None
        try:
            try:
                await self.sink.stored(flushing, load.batch)
            except asyncio.CancelledError:
                load.work.stored.cancel()
                raise
            except Exception as exc:  # noqa: BLE001 - the consumer dies on it, committing nothing
                load.work.stored.set_exception(exc)
                return
            self.chain.run(load, first="commit")
            load.let_go()  # only now: until the refresh thread is done with it, the load is its
        finally:
            gc_pause.resume()
