"""An outage of the store or Kafka is logged twice (when it begins, when it ends), not thousands of times."""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import urlparse

import pytest

from pipeline.store.store import Store
from pipeline.worker.outage import Outage, QuietWhileDown, is_unreachable, quiet
from tests.fixtures.events import answered, offered
from tests.fixtures.tcp_proxy import TcpProxy
from tests.worker.conftest import Pipeline, admin_base


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
        for _ in range(498):
            clock.now += 0.1
            outage.failed(EOFError("later error"))
        clock.now += 20
        outage.ok()
        outage.ok()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert lines[0].startswith("the store (h:1/db) unreachable for 3 s: Connection refused; retrying quietly")
    assert lines[1] == "the store (h:1/db) reachable again after 72 s and 499 retries"
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
