"""What the worker's own chain costs without Faust's per-message path: a measurement, not a worker.

    .venv/bin/python bench/batch_loop_probe.py --events 300000 --runs 3

Fills one topic, then per run: the bare aiokafka consumer (read + decode), and
a plain aiokafka loop doing the worker's work per batch: ``getmany`` up to
``CCKPI_BATCH_MAX_EVENTS`` -> ``batching.process`` (decode, pseudonymise,
dedupe, assemble) -> ``flush`` + ``queue_intervals.refresh`` into a fresh
ClickHouse database -> commit the offsets.  Same order and same guarantee
(commit after store) as ``cckpi worker``, one process, no rebalance handling,
no dead-letter producer, no gauges.  It answers "how fast could one worker be
if messages reached our code in batches", for the issue note.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from pipeline.bench import stream
from pipeline.bench.common import Target, drop_database, fresh_name, median
from pipeline.bench.suite import Options, simulated_events
from pipeline.core.intake import Intake
from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.writer import flush
from pipeline.secrets import pseudonym_key
from pipeline.settings import load_settings
from pipeline.store import queue_intervals
from pipeline.store.store import Store
from pipeline.worker import batching
from pipeline.worker.seen import BoundedSeen


async def _loop(target: Target, prefix: str, expected_messages: int) -> float:
    from aiokafka import AIOKafkaConsumer, TopicPartition  # type: ignore[import-untyped]

    settings = load_settings(kafka_bootstrap=target.kafka_bootstrap, topic_prefix=prefix)
    database = fresh_name("bench_probe")
    store = Store.open(target.store_url(database))
    intake = Intake(pseudonymiser(pseudonym_key(settings)), seen=BoundedSeen())
    consumer = AIOKafkaConsumer(settings.topic("events"), bootstrap_servers=target.kafka_bootstrap,
                                group_id=fresh_name("bench_probe"), auto_offset_reset="earliest",
                                enable_auto_commit=False, max_partition_fetch_bytes=4 * 1024 * 1024)
    await consumer.start()
    loop = asyncio.get_running_loop()
    try:
        count, began = 0, None
        while count < expected_messages:
            batches = await consumer.getmany(timeout_ms=1000, max_records=settings.batch_max_events)
            if not batches:
                continue
            if began is None:
                began = time.perf_counter()
            messages = [batching.Message(m.value, m.topic, m.partition, m.offset)
                        for records in batches.values() for m in records]
            done = batching.process(intake, messages)

            def store_batch() -> None:
                span = flush(store, done.batch)
                if span is not None:
                    queue_intervals.refresh(store, settings, *span)

            await loop.run_in_executor(None, store_batch)
            await consumer.commit({TopicPartition(t, p): o for (t, p), o in done.next_offsets.items()})
            count += len(messages)
        return count / (time.perf_counter() - (began or time.perf_counter()))
    finally:
        await consumer.stop()
        store.close()
        drop_database(target, database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    target = Target.from_env()
    path = simulated_events(Options(events=args.events))
    prefix = fresh_name("bench_probe")
    n = stream.fill_topic(target, prefix, path)
    bare, probe = [], []
    for run in range(args.runs):
        bare.append(stream.bare_consumer(target, prefix, n))
        probe.append(asyncio.run(_loop(target, prefix, n)))
        print(f"run {run + 1}: bare {bare[-1]:,.0f}/s, batch loop {probe[-1]:,.0f}/s "
              f"({probe[-1] / bare[-1]:.3f} of bare)", flush=True)
    print(f"median: bare {median(bare):,.0f}/s, batch loop {median(probe):,.0f}/s, "
          f"ratio {median([p / b for p, b in zip(probe, bare)]):.3f}")


if __name__ == "__main__":
    main()
