"""The ``ingest`` agent: a batch of Kafka records through the chain, its offsets released once stored.

Per batch (``docs/architecture.md`` draws the whole chain):

    take_in   decode, dedupe, pseudonymise, assemble          batching.process -> core.intake (pure)
    letters   rejected messages to the dead-letter topic,     delivery awaited before the batch goes on
    store     merge, write, refresh the touched intervals     Sink.submit -> ingest.chain.flush, Refresher
    release   ``Work.stored`` resolves: the consumer commits  consumer.BatchConsumer, in read order

The intake runs on the event loop and the store half on the sink's thread, so
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
from pipeline.worker import batching
from pipeline.worker.clock import Clock
from pipeline.worker.exporter import WorkerMetrics
from pipeline.worker.sink import Sink


@dataclass
class Work:
    """One batch on its way through the agent; ``stored`` resolves when its offsets may be committed."""

    messages: list[batching.Record]
    stored: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class IngestAgent:
    """The agent's body and its two ends: ``submit`` (from the consumer) and ``_release`` (to it)."""

    def __init__(self, intake: Intake, sink: Sink, send_dead_letter: Callable[[bytes], Awaitable[Any]],
                 metrics: WorkerMetrics, clock: Clock) -> None:
        self.intake = intake
        self.sink = sink
        self.send_dead_letter = send_dead_letter
        self.metrics = metrics
        self.clock = clock
        self._storing: set[asyncio.Task[None]] = set()

    async def run(self, stream: AsyncIterator[Work]) -> None:
        """take_in and letters here; store on the sink's thread while the next batch comes in."""
        async for work in stream:
            try:
                done = batching.process(self.intake, work.messages)
                if done.dead_letters:
                    sent = [await self.send_dead_letter(body) for body in done.dead_letters]
                    await asyncio.gather(*sent)
            except asyncio.CancelledError:
                work.stored.cancel()  # stopping: the batch stays uncommitted and is read again on restart
                raise
            except Exception as exc:  # noqa: BLE001 - the consumer dies on it, committing nothing
                work.stored.set_exception(exc)
                continue
            full = len(work.messages) >= self.sink.settings.batch_max_events
            task = asyncio.ensure_future(self._release(work, done, self.sink.submit(done.batch, full)))
            self._storing.add(task)
            task.add_done_callback(self._storing.discard)

    async def _release(self, work: Work, done: batching.Processed, flushing: Future[float]) -> None:
        """Once the store returned: count the batch, move the clock, let the consumer commit."""
        try:
            await self.sink.stored(flushing, done.batch)
        except asyncio.CancelledError:
            work.stored.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - the consumer dies on it, committing nothing
            work.stored.set_exception(exc)
            return
        self.metrics.count(done.consumed, done.rejected, done.duplicates, done.conflicting)
        self.clock.seen(done.newest_ts_ms)
        work.stored.set_result(None)
