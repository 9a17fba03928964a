"""``cckpi follow freeswitch-esl`` on the real local Kafka and worker: SIGKILL mid-stream, the hand-worked day.

The test event-socket server plays the day of tests/fixtures/freeswitch.py
slowly; the follower is killed with SIGKILL a third of the way through and
started again (the server resends the events before where the dead
connection stopped, as a switch's buffers would); the worker's report then
equals the hand-worked day, and equals ``cckpi import freeswitch-cdr`` of the
same calls replayed into another database.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson
import pytest

from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.batch import replay
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import load_settings
from pipeline.store.store import Store
from tests.fixtures import freeswitch as fs
from tests.fixtures.esl_server import EslServer
from tests.fixtures.stores import TEST_KEY
from tests.worker.conftest import Pipeline, admin_base
from tests.worker.test_outage import PrivateKafka, private_kafka  # noqa: F401 - the fixture, used by name

pytestmark = pytest.mark.integration

DAY = (1793581200000, 1793584800000)  # 2026-11-02 09:00-10:00 Asia/Shanghai


def _start(pipeline: Pipeline, port: int, password: Path, checkpoint: Path, n: int) -> subprocess.Popen[bytes]:
    out = open(pipeline.tmp / f"follow-fs-{n}.log", "wb")  # noqa: SIM115 - the process holds it
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli.main", "follow", "freeswitch-esl", "--host",
                             "127.0.0.1", "--port", str(port), "--password-file", str(password), "--checkpoint",
                             str(checkpoint), "--metrics-port", "0"],
                            env=pipeline.env(0), stdout=out, stderr=subprocess.STDOUT)


def _wait(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def _report(store: Store) -> list[dict]:
    return build_report(store, ReportRequest(*DAY, by=("queue",)), load_settings())


def test_follow_killed_mid_stream_gives_the_hand_worked_day_and_the_cdr_imports_report(pipeline: Pipeline,
                                                                                         tmp_path: Path) -> None:
    server = EslServer("ClueCon", fs.esl_events(), agent_list=fs.AGENT_LIST, overlap=6, pace_s=0.05)
    password, checkpoint = tmp_path / "esl.password", tmp_path / "fs.checkpoint.json"
    password.write_text("ClueCon\n")
    try:
        follower = _start(pipeline, server.port, password, checkpoint, 0)
        _wait(lambda: server.cursor >= len(server.events) // 3, 60, "a third of the events played")
        follower.send_signal(signal.SIGKILL)
        follower.wait()
        follower = _start(pipeline, server.port, password, checkpoint, 1)
        _wait(lambda: server.played_all and server.connections >= 2, 60, "every event played")
        spool = checkpoint.with_name(checkpoint.name + ".spool")
        spooled = [orjson.loads(line[2:]) for line in spool.read_bytes().splitlines()]
        expected_ids = {e["event_id"] for e in spooled}
        _wait(lambda: checkpoint.exists()
              and orjson.loads(checkpoint.read_bytes())["offset"] == spool.stat().st_size, 60, "all published")
        follower.send_signal(signal.SIGTERM)
        assert follower.wait(timeout=30) == 0
    finally:
        server.close()

    pipeline.start_worker()
    store = Store.open(pipeline.store_url, migrate_schema=False)
    try:
        pipeline.wait_stored(store, len(expected_ids), timeout=120)
        _wait(lambda: _report(store) and _report(store)[0]["answered"] == 2, 60, "the day's contacts stored")
        (row,) = _report(store)
    finally:
        store.close()
    # the hand-worked day (tests/importers/test_freeswitch.py works it): 7 offered, 2 answered, 4 abandoned
    # (1 short), SL 1/6, abandon rate 0.5, ASA 25 s, AHT 85 s
    assert (row["queue"], row["offered"], row["answered"], row["abandoned"], row["short_abandoned"]) == (
        "售后@default", 7, 2, 4, 1)
    assert row["service_level"] == pytest.approx(1 / 6) and (row["asa_s"], row["aht_s"]) == (25, 85)

    # the CDR import of the same calls, replayed into its own database: the same report
    (tmp_path / "day.json").write_text("\n".join(fs.json_cdr(c) for c in fs.CALLS))
    (tmp_path / "agents.txt").write_text(fs.AGENT_LIST)
    out = tmp_path / "day.jsonl"
    done = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "import", "freeswitch-cdr",
                           str(tmp_path / "day.json"), "--agent-list", str(tmp_path / "agents.txt"), "--out", str(out)],
                          env=pipeline.env(0), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    imported = Store.open(f"{admin_base()}/r_{uuid.uuid4().hex[:12]}")
    try:
        replay([str(out)], imported, load_settings(), pseudonymiser(TEST_KEY), tmp_path / "dead.jsonl")
        assert _report(imported) == [row]
    finally:
        imported.engine.command(f"DROP DATABASE IF EXISTS {imported.db}")
        imported.close()


@pytest.mark.timeout(400)
def test_kafka_away_mid_stream_the_reader_keeps_reading_and_no_number_changes(pipeline: Pipeline,
                                                                              private_kafka: PrivateKafka,
                                                                              tmp_path: Path) -> None:
    pipeline.extra_env["CCKPI_KAFKA_BOOTSTRAP"] = private_kafka.bootstrap
    server = EslServer("ClueCon", fs.esl_events(), agent_list=fs.AGENT_LIST, pace_s=0.05)
    password, checkpoint = tmp_path / "esl.password", tmp_path / "fs.checkpoint.json"
    password.write_text("ClueCon\n")
    spool = checkpoint.with_name(checkpoint.name + ".spool")
    try:
        follower = _start(pipeline, server.port, password, checkpoint, 0)
        _wait(lambda: checkpoint.exists(), 60, "a first batch acknowledged by Kafka")
        server.paused.set()
        private_kafka.stop(signal.SIGKILL)  # Kafka crashes; the switch keeps sending
        server.paused.clear()
        _wait(lambda: server.played_all, 60, "every event played while Kafka is away")
        # the reader never waited on Kafka: every event is in the spool, beyond what Kafka acknowledged
        spooled = {orjson.loads(line[2:])["event_id"] for line in spool.read_bytes().splitlines()}
        assert _day_ids() <= spooled
        assert orjson.loads(checkpoint.read_bytes())["offset"] < spool.stat().st_size
        assert follower.poll() is None
        private_kafka.start()
        _wait(lambda: orjson.loads(checkpoint.read_bytes())["offset"] == spool.stat().st_size, 120,
              "the spool published once Kafka is back")
        follower.send_signal(signal.SIGTERM)
        assert follower.wait(timeout=30) == 0
    finally:
        server.close()
    pipeline.start_worker()
    store = Store.open(pipeline.store_url, migrate_schema=False)
    try:
        pipeline.wait_stored(store, len(spooled), timeout=120)
        _wait(lambda: _report(store) and _report(store)[0]["answered"] == 2, 60, "the day's contacts stored")
        (row,) = _report(store)
    finally:
        store.close()
    # the hand-worked day, as above: 7 offered, 2 answered, 4 abandoned (1 short), SL 1/6, ASA 25 s, AHT 85 s
    assert (row["offered"], row["answered"], row["abandoned"], row["short_abandoned"]) == (7, 2, 4, 1)
    assert row["service_level"] == pytest.approx(1 / 6) and (row["asa_s"], row["aht_s"]) == (25, 85)


def test_a_refused_password_stops_the_follower_with_one_line_naming_the_fix(pipeline: Pipeline,
                                                                            tmp_path: Path) -> None:
    server = EslServer("ClueCon", [])
    (tmp_path / "pw").write_text("wrong\n")
    try:
        done = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "follow", "freeswitch-esl", "--port",
                               str(server.port), "--password-file", str(tmp_path / "pw"), "--checkpoint",
                               str(tmp_path / "cp.json"), "--metrics-port", "0"],
                              env=pipeline.env(0), capture_output=True, text=True, timeout=120)
    finally:
        server.close()
    assert done.returncode == 1
    assert "refused the password" in done.stderr and "--password-file" in done.stderr
    assert "Traceback" not in done.stderr


def _day_ids() -> set[str]:
    from pipeline.importers.freeswitch_callcenter import CallcenterMapper, parse_agent_list

    mapper = CallcenterMapper(parse_agent_list(fs.AGENT_LIST)[0])
    return {e["event_id"] for headers in fs.esl_events() for e in mapper.feed(headers)}
