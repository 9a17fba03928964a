"""An outage of the store or Kafka is logged twice (when it begins, when it ends), not thousands of times."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from pipeline.store.store import Store
from pipeline.outage import Outage, QuietWhileDown, is_unreachable, quiet
from tests.fixtures.events import answered, offered
from tests.fixtures.tcp_proxy import TcpProxy
from tests.worker.conftest import Pipeline, admin_base, free_port


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_logs_its_start_and_its_end_with_the_retry_count(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    outage = Outage("the store (h:1/db)", clock=clock, grace_s=3)
    outage.ok()  # up: nothing to say
    with caplog.at_level(logging.WARNING, logger="cckpi.worker"):
        outage.failed(ConnectionRefusedError("Connection refused\nmore lines"))
        clock.now += 2
        outage.failed(EOFError("later error"))
        assert caplog.records == []  # within the grace: maybe a blip
        for _ in range(496):
            clock.now += 0.25
            outage.failed(EOFError("later error"))
        clock.now += 20
        outage.ok()
        outage.ok()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("the store (h:1/db) unreachable for 3 s (5 retries so far): Connection refused; "
                               "retrying quietly")
    assert lines[1] == "the store (h:1/db) reachable again after 146 s and 497 retries"
    assert not outage.down


def test_a_blip_mended_within_the_grace_is_not_an_outage(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    outage = Outage("Kafka (h:1)", clock=clock, grace_s=3)
    with caplog.at_level(logging.WARNING, logger="cckpi.worker"):
        outage.failed("Group Coordinator Request failed: [Error 15] GroupCoordinatorNotAvailableError")
        clock.now += 1
        outage.failed("again")
        outage.ok()
    assert caplog.records == [] and not outage.down


def test_library_connection_errors_become_retries_not_lines(caplog: pytest.LogCaptureFixture) -> None:
    outage = Outage("Kafka (127.0.0.1:1)", grace_s=0)
    library = logging.getLogger("aiokafka.test_child")
    quiet(("aiokafka",), outage)
    with caplog.at_level(logging.INFO):
        for _ in range(100):
            library.error("Unable connect to node with id %s: %s", 1, "[Errno 111] Connect call failed")
            logging.getLogger("aiokafka.test_child").error("Unable to update metadata from [1]")
        library.error("Not authorized to read from topic x.")  # not about the connection: kept
        library.info("Discovered coordinator 1")  # below WARNING: kept
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unreachable" in m for m in messages) == 1
    assert not any(m.startswith("Unable") for m in messages)
    assert "Not authorized to read from topic x." in messages and "Discovered coordinator 1" in messages
    assert outage.down and outage.retries == 199
    for f in list(library.filters):
        if isinstance(f, QuietWhileDown):
            library.removeFilter(f)


def test_what_counts_as_unreachable() -> None:
    from clickhouse_driver import errors

    assert is_unreachable(EOFError("Unexpected EOF while reading bytes"))
    assert is_unreachable(ConnectionRefusedError())
    assert is_unreachable(errors.NetworkError("Code: 210. Connection refused"))
    assert not is_unreachable(errors.ServerException("Code: 62. Syntax error", code=62))
    assert not is_unreachable(ValueError("bad value"))


@pytest.mark.integration
@pytest.mark.timeout(240)
def test_a_store_outage_is_waited_out_and_logged_twice(pipeline: Pipeline, tmp_path) -> None:
    """The worker reaches ClickHouse through a proxy this test owns; cutting it is the outage."""
    import orjson

    admin = urlparse(admin_base())
    proxy = TcpProxy(admin.hostname or "127.0.0.1", admin.port or 9000)
    proxy.start()
    through_proxy = admin_base().replace(f"@{admin.hostname}:{admin.port}", f"@127.0.0.1:{proxy.port}")
    pipeline.extra_env["CCKPI_STORE_URL"] = f"{through_proxy}/{pipeline.db}"
    before = tmp_path / "before.jsonl"
    before.write_bytes(b"\n".join(orjson.dumps(e) for e in (offered("c1", 0), answered("c1", 5))) + b"\n")
    during = tmp_path / "during.jsonl"
    during.write_bytes(b"\n".join(orjson.dumps(e) for e in (offered("c2", 10), answered("c2", 12),
                                                            offered("c3", 20))) + b"\n")
    worker = pipeline.start_worker()
    log = tmp_path / "worker-0.log"
    store = Store.open(pipeline.store_url, migrate_schema=False)  # directly, not through the proxy
    try:
        pipeline.wait_ready(worker)
        pipeline.produce(before)
        pipeline.wait_stored(store, 2, timeout=60)

        proxy.stop()
        pipeline.produce(during)
        deadline = time.monotonic() + 60
        while b"unreachable" not in log.read_bytes():
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"no outage logged:\n{log.read_text()[-3000:]}"
            time.sleep(0.2)
        began = time.monotonic()
        while time.monotonic() - began < 6:  # let the outage last (flush retries, gauge ticks every second)
            assert worker.poll() is None, f"the worker gave up during the outage:\n{log.read_text()[-3000:]}"
            time.sleep(0.5)
        assert pipeline.stored_events(store) == 2  # nothing stored (or committed) while the store is away

        proxy.start()
        pipeline.wait_stored(store, 5, timeout=60)
        deadline = time.monotonic() + 30
        while b"reachable again" not in log.read_bytes():
            assert time.monotonic() < deadline, f"end of outage not logged:\n{log.read_text()[-3000:]}"
            time.sleep(0.2)
        text = log.read_text()
    finally:
        pipeline.stop_all()  # before the proxy goes: a worker stopping with its store away exits 70
        proxy.stop()
        store.close()
    assert text.count("unreachable") == 1, text[-3000:]
    ended = re.findall(r"reachable again after (\d+) s and (\d+) retries", text)
    assert len(ended) == 1 and int(ended[0][0]) >= 5 and int(ended[0][1]) >= 3, ended
    noise = [line for line in text.splitlines()
             if re.search(r"Traceback|Failed to connect|Connection refused|EOF|store flush failed", line)
             and "unreachable" not in line]
    assert noise == [], noise[:5]


@pytest.fixture
def private_kafka(stack, tmp_path) -> Iterator[PrivateKafka]:
    """A one-node Kafka of this test's own, on free ports: killing it is an outage nobody else sees.

    It reuses the shared stack's jars (read only) and the stack's own Kafka service code to render and format it.
    """
    from pipeline.settings import load_settings
    from pipeline.stack.base import Context
    from pipeline.stack.kafka import libs_dir
    from pipeline.stack.layout import Layout

    shared = load_settings()
    jars = libs_dir(Context(shared, Layout.from_settings(shared.stack), {}))
    if not (jars / ".complete").exists():
        pytest.skip(f"no Kafka jars at {jars}")
    settings = load_settings(stack={"dir": tmp_path / "private-stack", "kafka_port": free_port(),
                                    "kafka_controller_port": free_port(), "kafka_heap_mb": 256})
    ctx = Context(settings, Layout.from_settings(settings.stack), {})
    ctx.layout.logs.mkdir(parents=True)
    ctx.layout.service_dir("kafka").mkdir(parents=True)
    (ctx.layout.service_dir("kafka") / jars.name).symlink_to(jars)
    broker = PrivateKafka(ctx)
    broker.start()
    yield broker
    broker.stop(signal.SIGTERM)


class PrivateKafka:
    def __init__(self, ctx: Any) -> None:
        from pipeline.stack.kafka import Kafka

        self.ctx, self.service = ctx, Kafka()
        self.service.prepare(ctx)  # server.properties, log4j, KRaft storage format
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.ctx.stack.kafka_port}"

    def start(self) -> None:
        log = open(self.ctx.layout.log("kafka"), "ab")  # noqa: SIM115 - the broker holds it
        self.process = subprocess.Popen(self.service.command(self.ctx), stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 120
        while not self.service.ready(self.ctx):
            assert self.process.poll() is None, f"private Kafka exited: {self.ctx.layout.log('kafka')}"
            assert time.monotonic() < deadline, "private Kafka not ready in 120 s"
            time.sleep(0.5)

    def stop(self, sig: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.mark.integration
@pytest.mark.timeout(400)
def test_a_kafka_outage_is_logged_twice_and_consuming_resumes(pipeline: Pipeline, private_kafka: PrivateKafka,
                                                               tmp_path) -> None:
    import orjson

    pipeline.extra_env["CCKPI_KAFKA_BOOTSTRAP"] = private_kafka.bootstrap
    first, later = tmp_path / "first.jsonl", tmp_path / "later.jsonl"
    first.write_bytes(b"\n".join(orjson.dumps(e) for e in (offered("k1", 0), answered("k1", 5))) + b"\n")
    later.write_bytes(orjson.dumps(offered("k2", 60)) + b"\n")
    worker = pipeline.start_worker()
    log = tmp_path / "worker-0.log"
    store = Store.open(pipeline.store_url, migrate_schema=False)
    try:
        pipeline.wait_ready(worker, timeout=90)
        pipeline.produce(first)
        pipeline.wait_stored(store, 2, timeout=60)

        private_kafka.stop(signal.SIGKILL)  # a crash, not a clean shutdown
        deadline = time.monotonic() + 60
        while b"unreachable for" not in log.read_bytes():
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, f"no outage logged:\n{log.read_text()[-3000:]}"
            time.sleep(0.3)
        began = time.monotonic()
        while time.monotonic() - began < 10:  # let it last: aiokafka retries every 100 ms meanwhile
            assert worker.poll() is None, f"the worker gave up during the outage:\n{log.read_text()[-3000:]}"
            time.sleep(0.5)

        private_kafka.start()
        deadline = time.monotonic() + 90
        while b"reachable again" not in log.read_bytes():
            assert time.monotonic() < deadline, f"end of outage not logged:\n{log.read_text()[-3000:]}"
            time.sleep(0.3)
        pipeline.produce(later)
        try:
            pipeline.wait_stored(store, 3, timeout=90)  # consuming resumed
        except BaseException:
            worker.send_signal(signal.SIGUSR1)  # mode's worker logs every task's stack: where it hangs
            time.sleep(3)
            raise
        text = log.read_text()
    finally:
        pipeline.stop_all()
        store.close()
    assert text.count("unreachable for") == 1, text[-3000:]
    ended = re.findall(r"Kafka \(127\.0\.0\.1:\d+\) reachable again after (\d+) s and (\d+) retries", text)
    assert len(ended) == 1 and int(ended[0][0]) >= 10 and int(ended[0][1]) >= 20, ended
    noise = [line for line in text.splitlines()
             if re.search(r"Unable connect|Failed fetch|NodeNotReady|Unable to update metadata|Heartbeat|Traceback",
                          line) and "unreachable for" not in line]
    assert noise == [], noise[:5]
