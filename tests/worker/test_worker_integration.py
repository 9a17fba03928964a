"""The streaming worker against real Kafka and ClickHouse: the issue's four acceptance tests.

Each test has its own topic prefix, consumer group and database (see conftest).
Reports are compared with a replay of the same shuffled, repeated file.
"""

from __future__ import annotations

import re
import signal
import time
import warnings

import orjson
import pytest

from pipeline import metric_defs as m
from pipeline.core.intake import Intake
from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.chain import flush
from pipeline.store import stale_intervals
from pipeline.store.store import Store
from tests.fixtures.events import answered, event, offered
from tests.fixtures.stores import TEST_KEY
from tests.worker.conftest import (
    Day, Pipeline, eventually, metric_value, queue_interval_rows, replayed, reports,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def _assert_same_as_replay(run: Pipeline, store: Store, day: Day, timeout: float = 30) -> None:
    """Every event is stored; wait for the rest of the last flush (contacts, intervals), then compare."""
    settings = run.settings
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reports(store, settings) == day.reports and queue_interval_rows(store) == day.intervals:
            return
        time.sleep(0.5)
    assert reports(store, settings) == day.reports
    assert queue_interval_rows(store) == day.intervals


def _metric(run: Pipeline, name: str, expected: float | None, index: int = 0, **labels: str) -> None:
    eventually(lambda: metric_value(run.metrics(index), name, **labels) == expected, 20,
               f"{name}{labels} == {expected} (last: {metric_value(run.metrics(index), name, **labels)})")


def test_stream_equals_replay(pipeline: Pipeline, day: Day) -> None:
    worker = pipeline.start_worker()
    pipeline.produce(day.path)
    began = time.monotonic()
    store = Store.open(pipeline.store_url, migrate_schema=False)
    pipeline.wait_stored(store, day.distinct, timeout=150)
    print(f"\nworker stored {day.distinct:,} events ({day.messages:,} messages) "
          f"{time.monotonic() - began:.1f} s after the producer finished")
    _assert_same_as_replay(pipeline, store, day)
    _metric(pipeline, m.EVENTS_CONSUMED, day.distinct)
    # at least the file's repeats (a rebalance could re-deliver a batch: its events count as repeats too)
    eventually(lambda: (metric_value(pipeline.metrics(), m.EVENTS_DUPLICATE) or 0) >= day.messages - day.distinct,
               20, "every repeat in the file counted")
    assert metric_value(pipeline.metrics(), m.EVENTS_REJECTED) is None
    # every partition read to its end: lag recorded per partition after each commit, and 0 at the end
    for partition in range(pipeline.settings.topic_partitions):
        _metric(pipeline, m.CONSUMER_LAG, 0.0, topic=pipeline.settings.topic("events"), partition=str(partition))
    # live gauges over the trailing window ending at the newest contact event (--clock events)
    _metric(pipeline, m.SERVICE_LEVEL_TARGET, 0.9, queue="billing")
    text = pipeline.metrics()
    assert metric_value(text, m.SERVICE_LEVEL, queue="billing", channel="voice") is not None
    assert metric_value(text, m.AGENTS) is not None
    assert worker.poll() is None


def test_sigkill_mid_stream_loses_and_doubles_nothing(pipeline: Pipeline, small_day: Day) -> None:
    pipeline.extra_env["CCKPI_BATCH_MAX_EVENTS"] = "1500"  # many batches, so kills land between commits
    # full batches defer their rebuild for the whole run: only the next worker's start (stale_intervals)
    # or the last batch, which is not full, rebuilds the intervals a killed worker deferred
    pipeline.extra_env["CCKPI_CATCH_UP_REFRESH_S"] = "3600"
    pipeline.produce(small_day.path)
    store = Store.open(pipeline.store_url, migrate_schema=False)
    kills = 0
    for fraction in (0.15, 0.45, 0.75):
        worker = pipeline.start_worker()
        deadline = time.monotonic() + 60
        while pipeline.stored_events(store) < small_day.distinct * fraction and time.monotonic() < deadline:
            assert worker.poll() is None
            time.sleep(0.1)
        if pipeline.stored_events(store) < small_day.distinct:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            kills += 1
    assert kills >= 2, "the worker finished before it could be killed twice; use a bigger day"
    pipeline.start_worker()
    pipeline.wait_stored(store, small_day.distinct, timeout=90)
    _assert_same_as_replay(pipeline, store, small_day)


def test_deferred_rebuilds_survive_a_kill_and_a_backlog_that_ends_on_a_full_batch(
        pipeline: Pipeline, small_day: Day, tmp_path) -> None:
    """Only full batches, so every rebuild is deferred: a worker killed with intervals deferred leaves them
    to the next worker's start, and a backlog ending on a full batch is rebuilt by the timer."""
    lines = small_day.path.read_bytes().splitlines()
    first = replayed(tmp_path / "first.jsonl", lines[:3000])  # two batches of 1,500, both full
    both = replayed(tmp_path / "both.jsonl", lines[:6000])
    pipeline.extra_env.update(CCKPI_BATCH_MAX_EVENTS="1500", CCKPI_CATCH_UP_REFRESH_S="3600")
    pipeline.produce(first.path)  # before the worker starts: it reads full batches at once
    store = Store.open(pipeline.store_url, migrate_schema=False)
    worker = pipeline.start_worker()
    pipeline.wait_stored(store, first.distinct, timeout=90)
    # both batches committed, so both marked (a batch's mark is written before its commit): a batch killed
    # before its commit would be read again by the next worker, as a full batch whose rebuild it defers
    eventually(lambda: pipeline.uncommitted() == 0, 30, "both batches committed")
    assert len(stale_intervals.stale(store)) > 0
    assert queue_interval_rows(store) == []  # nothing rebuilt: both batches were full
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    pipeline.start_worker()  # reads nothing (the killed worker committed both batches) ...
    _assert_same_as_replay(pipeline, store, first, timeout=60)  # ... so its start rebuilt them
    assert stale_intervals.stale(store) == set()
    pipeline.stop_all()

    (tmp_path / "rest.jsonl").write_bytes(b"\n".join(lines[3000:6000]) + b"\n")
    pipeline.produce(tmp_path / "rest.jsonl")  # two more full batches, then nothing
    pipeline.extra_env["CCKPI_CATCH_UP_REFRESH_S"] = "2"
    pipeline.start_worker()
    pipeline.wait_stored(store, both.distinct, timeout=90)
    _assert_same_as_replay(pipeline, store, both)  # the timer rebuilt them 2 s after the first was deferred
    assert stale_intervals.stale(store) == set()


def test_the_survivors_rebuild_what_a_dead_worker_deferred(pipeline: Pipeline, small_day: Day, tmp_path) -> None:
    """No worker is restarted: the rebalance that hands the dead worker's partitions to the survivor makes it
    rebuild the intervals the dead one left marked in stale_intervals."""
    lines = small_day.path.read_bytes().splitlines()[:3000]
    left = replayed(tmp_path / "left.jsonl", lines)
    doomed = pipeline.start_worker()
    pipeline.wait_ready(doomed)
    survivor = pipeline.start_worker()

    def split() -> bool:  # each worker's latest assignment: the two share the topic's partitions
        latest = [re.findall(r"partitions assigned: (.*)", pipeline.log(i))[-1:] for i in (0, 1)]
        held = [set(names[0].split(", ")) if names and names[0] != "none" else set() for names in latest]
        return all(held) and not held[0] & held[1] and len(held[0] | held[1]) == pipeline.settings.topic_partitions
    eventually(split, 60, "both workers hold partitions")

    def recovered() -> bool:  # each assignment's recovery ran (it found nothing): none can see the leftovers
        logs = [pipeline.log(i) for i in (0, 1)]
        return all(text.count("in stale_intervals") >= text.count("partitions assigned") for text in logs)
    eventually(recovered, 30, "every assignment's recovery has run")
    # what a worker killed while catching up leaves: a full batch stored, its intervals marked, not rebuilt
    # (Refresher.after_flush's deferral), its offsets committed; written here, so it is the worker that dies
    store = Store.open(pipeline.store_url, migrate_schema=False)
    intake = Intake(pseudonymiser(TEST_KEY))
    for line in lines:
        intake.feed(line)
    touched = flush(store, pipeline.settings, intake.take())
    stale_intervals.mark(store, touched, store.next_version())
    assert queue_interval_rows(store) == [] and stale_intervals.stale(store) == touched
    assert "intervals listed in stale_intervals" not in pipeline.log(1)

    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    _assert_same_as_replay(pipeline, store, left, timeout=60)  # the session expires (10 s), the group rebalances
    assert stale_intervals.stale(store) == set()
    assert f"rebuilt {len(touched)} deferred 15-minute intervals" in pipeline.log(1)
    assert survivor.poll() is None


def test_two_workers_split_the_partitions_and_give_the_same_numbers(pipeline: Pipeline, small_day: Day,
                                                                    tmp_path) -> None:
    lines = small_day.path.read_bytes().splitlines()
    halves = [tmp_path / "first.jsonl", tmp_path / "second.jsonl"]
    halves[0].write_bytes(b"\n".join(lines[: len(lines) // 2]) + b"\n")
    halves[1].write_bytes(b"\n".join(lines[len(lines) // 2:]) + b"\n")
    first = pipeline.start_worker()
    pipeline.produce(halves[0])
    store = Store.open(pipeline.store_url, migrate_schema=False)
    pipeline.wait_ready(first)
    eventually(lambda: pipeline.stored_events(store) >= small_day.distinct * 0.3, 60, "the first worker stores")
    pipeline.wait_ready(pipeline.start_worker())  # scale out: the group rebalances, maybe mid-batch
    pipeline.produce(halves[1])
    pipeline.wait_stored(store, small_day.distinct, timeout=90)
    _assert_same_as_replay(pipeline, store, small_day)
    def consumed() -> list[float]:
        return [metric_value(pipeline.metrics(i), m.EVENTS_CONSUMED) or 0 for i in (0, 1)]

    eventually(lambda: sum(consumed()) >= small_day.distinct, 20, f"counters cover every event: {consumed()}")
    assert all(n > 0 for n in consumed()), f"one worker got no partition: {consumed()}"


def test_bad_input_goes_to_the_dead_letter_topic_and_good_events_count(pipeline: Pipeline, tmp_path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaConsumer, KafkaProducer

    good = [offered("c1", 0), answered("c1", 10), offered("c2", 5, queue="sales"),
            event("agent.state", 1, agent_id="a1", state="available")]
    bad = {
        b"\x00\xff\xfe\x81 binary garbage": "invalid_json",
        b'{"event_id": "x1", "type": "contact.offered", ': "invalid_json",
        orjson.dumps({**offered("c3", 1), "queue": 42, "customer_key": "+8613800138000"}): "wrong_type",
        orjson.dumps(event("contact.teleported", 1, contact_id="c4")): "unknown_type",
        orjson.dumps({"event_id": "x2", "type": "contact.answered", "ts": "2026-11-02T01:00:00Z",
                      "contact_id": "c5"}): "missing_field",
        b"[1, 2, 3]": "not_an_object",
    }
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join([orjson.dumps(e) for e in good] + [raw for raw in bad if b"\n" not in raw]) + b"\n")
    pipeline.produce(path)  # the CLI: bad lines go as-is, unkeyed
    settings = pipeline.settings
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    producer.send(settings.topic("events"), value=b"\n\n\xc3\x28 not utf-8 with newlines")  # not a line: raw
    producer.flush()
    producer.close()
    pipeline.start_worker()
    store = Store.open(pipeline.store_url, migrate_schema=False)
    pipeline.wait_stored(store, len(good), timeout=60)

    consumer = KafkaConsumer(settings.topic("dead-letter"), bootstrap_servers=settings.kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=2000, group_id=None)
    records: list[dict[str, str]] = []
    deadline = time.monotonic() + 30
    while len(records) < len(bad) + 1 and time.monotonic() < deadline:
        records.extend(orjson.loads(message.value) for message in consumer)
    consumer.close()
    assert sorted(r["reason"] for r in records) == sorted([*bad.values(), "invalid_json"])
    assert all(r["detail"] and r["source"].startswith(settings.topic("events") + "/") for r in records)
    assert any(r.get("raw_base64") for r in records)
    keyed = [orjson.loads(r["raw"]) for r in records if "customer_key" in r.get("raw", "")]
    assert len(keyed) == 1 and keyed[0]["customer_key"].startswith("c_")  # pseudonymised, as stored ones are
    assert not any("13800138000" in str(r) for r in records)
    _metric(pipeline, m.EVENTS_REJECTED, len(bad) + 1)
    _metric(pipeline, m.EVENTS_REJECTED, 1, reason="unknown_type")
    _metric(pipeline, m.EVENTS_CONSUMED, len(good))
    worker = pipeline.workers[0]
    assert worker.poll() is None
    worker.send_signal(signal.SIGTERM)  # a clean stop
    assert worker.wait(timeout=30) == 0


def test_sigterm_commits_every_stored_batch_so_a_restart_reads_nothing_again(pipeline: Pipeline,
                                                                              small_day: Day) -> None:
    # the consumer commits a stored batch when its next read returns, and a read waits up to 60 s for a first
    # message: so the day's last batch is stored and still uncommitted when SIGTERM comes, and only the stop
    # path can commit it
    pipeline.extra_env["CCKPI_BATCH_MAX_SECONDS"] = "60"
    worker = pipeline.start_worker()
    pipeline.produce(small_day.path)
    store = Store.open(pipeline.store_url, migrate_schema=False)
    pipeline.wait_stored(store, small_day.distinct, timeout=150)
    # the batch's commit step ran (it counts the batch): stored whole, intervals and all
    _metric(pipeline, m.EVENTS_CONSUMED, small_day.distinct)
    assert pipeline.uncommitted() > 0, "the batch was committed before the stop: the stop path is not tested"
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert re.search(r"stopping: committed [1-9]\d* stored batches", pipeline.log(0)), pipeline.log(0)[-3000:]
    assert pipeline.uncommitted() == 0, "a stopped worker left stored messages uncommitted"


def test_a_conflicting_duplicate_is_counted_apart_and_dead_lettered_with_both_hashes(pipeline: Pipeline,
                                                                                      tmp_path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kafka import KafkaConsumer

    first = event("agent.state", 1, agent_id="a9", state="available")
    repeat = dict(reversed(list(first.items())))  # the same content in another key order: a plain duplicate
    other = {**first, "state": "not_ready"}  # the same event_id, other content
    path = tmp_path / "conflict.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(e) for e in (first, repeat, other)) + b"\n")
    pipeline.produce(path)  # keyed by agent_id: one partition, this order
    pipeline.start_worker()
    store = Store.open(pipeline.store_url, migrate_schema=False)
    pipeline.wait_stored(store, 1, timeout=60)
    _metric(pipeline, m.EVENTS_CONFLICTING_DUPLICATE, 1, type="agent.state")
    _metric(pipeline, m.EVENTS_DUPLICATE, 1, type="agent.state")
    _metric(pipeline, m.EVENTS_REJECTED, None)  # not a rejection
    settings = pipeline.settings
    consumer = KafkaConsumer(settings.topic("dead-letter"), bootstrap_servers=settings.kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=2000, group_id=None)
    records = [orjson.loads(message.value) for message in consumer]
    consumer.close()
    (record,) = records
    assert record["reason"] == "conflicting_duplicate" and record["event_id"] == first["event_id"]
    assert record["first_hash"] != record["this_hash"]
    assert orjson.loads(record["raw"])["state"] == "not_ready"
    state = store.engine.query(f"SELECT state FROM {pipeline.db}.agent_states FINAL")["state"]
    assert state == ["available"]  # the first copy is the one kept
    store.close()

