"""The FreeSWITCH follower's halves: the reader spools without waiting on Kafka, the publisher sends the spool.

Against the test event-socket server playing the hand-worked day
(tests/fixtures/freeswitch.py); the publisher here is the queue_log
follower's loop with a publisher that keeps what it was given (Kafka itself is
in tests/worker/test_follow_freeswitch.py).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import orjson

from pipeline.core.pseudonym import pseudonymiser
from pipeline.importers.follow_freeswitch import Spool, SpoolLines, SwitchReader, reconcile
from pipeline.importers.follow_queue_log import Checkpoint, PublishFailed, follow
from pipeline.importers.freeswitch_callcenter import CallcenterMapper, parse_agent_list
from tests.fixtures import freeswitch as fs
from tests.fixtures.esl_server import EslServer
from tests.fixtures.stores import TEST_KEY

MEMBERS = ("queue|instance_id|uuid|session_uuid|cid_number|cid_name|system_epoch|joined_epoch|rejoined_epoch|"
           "bridge_epoch|abandoned_epoch|base_score|skill_score|serving_agent|serving_system|state|score\n"
           f"售后@default|single_box|m9|s9|13900139009|钱十|{fs.T + 500}|{fs.T + 500}|0|0|0|0|0|||Waiting|0\n"
           f"售后@default|single_box|m8|s8|13900139008|郑十一|{fs.T + 400}|{fs.T + 400}|0|{fs.T + 410}|0|0|0|"
           "1001@default|single_box|Answered|0\n"
           f"售后@default|single_box|m0|s0|13900139000||{fs.T}|{fs.T}|0|0|{fs.T + 5}|0|0|||Abandoned|0\n+OK\n")


class Kafka:
    """Keeps what it acknowledged; refuses the first ``failures`` flushes (an outage)."""

    def __init__(self, failures: int = 0) -> None:
        self.failures, self.batch, self.acknowledged = failures, [], []

    def send(self, value: bytes, key: bytes | None, dead: bool = False) -> None:
        self.batch.append((value, key, dead))

    def flush(self) -> None:
        if self.failures:
            self.failures -= 1
            raise PublishFailed("KafkaTimeoutError: Kafka is away")
        self.acknowledged += self.batch
        self.batch = []

    def resend(self) -> None:
        pass


def _expected_ids() -> set[str]:
    mapper = CallcenterMapper(parse_agent_list(fs.AGENT_LIST)[0])
    return {e["event_id"] for h in fs.esl_events() for e in mapper.feed(h)}


def _run_reader(server: EslServer, spool: Spool, until) -> SwitchReader:
    stop = threading.Event()
    reader = SwitchReader("127.0.0.1", server.port, "ClueCon", spool, stop=stop.is_set,
                          pseudonymise=pseudonymiser(TEST_KEY))
    thread = threading.Thread(target=reader.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not until() and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    thread.join(timeout=10)
    assert until(), "the reader did not get there in 30 s"
    return reader


def _spooled(path: Path) -> list[tuple[bytes, dict]]:
    return [(line[:1], orjson.loads(line[2:])) for line in path.read_bytes().splitlines()]


def test_subscriptions_in_their_own_commands_then_agents_and_members_then_every_event(tmp_path: Path) -> None:
    server = EslServer("ClueCon", fs.esl_events(), agent_list=fs.AGENT_LIST, members=MEMBERS, pace_s=0.001)
    spool = Spool(tmp_path / "fs.spool")
    try:
        _run_reader(server, spool, lambda: server.played_all and len(_spooled(spool.path)) >= len(_expected_ids()))
    finally:
        server.close()
        spool.close()
    assert server.commands[0] == ["auth ClueCon", "event plain CUSTOM callcenter::info",
                                  "event plain CHANNEL_HANGUP_COMPLETE", "api callcenter_config agent list",
                                  "api callcenter_config queue list members"]
    lines = _spooled(tmp_path / "fs.spool")
    ids = {body["event_id"] for kind, body in lines if kind == b"E"}
    # the day's events, with 1001's wrap-up of 10 s from the agent list (m1 ends 01:01:10, wrap-up 01:01:20) ...
    assert _expected_ids() <= ids
    wrap = next(b for k, b in lines if b.get("event_id") == f"{fs.member_uuid(fs.CALLS[0])}/wrapup_completed")
    assert wrap["ts"] == "2026-11-02T01:01:20.000Z"
    # ... and from the member list: m9 waiting (offered), m8 answered by 1001; m0 abandoned is not reconciled
    assert ids - _expected_ids() == {"m9/offered", "m8/offered", "m8/answered"}


def test_reconcile_reads_the_member_list_columns_by_name() -> None:
    events = reconcile(MEMBERS)
    assert [(e["event_id"], e["ts"][11:19], e.get("agent_id")) for e in events] == [
        ("m9/offered", "01:08:20", None), ("m8/offered", "01:06:40", None), ("m8/answered", "01:06:50", "1001@default")]


def test_a_restart_sees_events_again_and_doubles_no_id_and_kafka_away_never_stops_the_reader(tmp_path: Path) -> None:
    events = fs.esl_events()
    bad = {**events[5], "CC-Action": "member-teleported"}
    server = EslServer("ClueCon", events[:20] + [bad] + events[20:], agent_list=fs.AGENT_LIST, overlap=8,
                       pace_s=0.002)
    spool_path = tmp_path / "fs.spool"
    try:
        first = Spool(spool_path)  # the first follower stops a third of the way through
        _run_reader(server, first, lambda: server.cursor >= 25)
        first.close()
        with spool_path.open("ab") as handle:
            handle.write(b'E {"event_id": "cut sh')  # a line a crash cut short: dropped on the next start
        second = Spool(spool_path)
        _run_reader(server, second, lambda: server.played_all and server.connections == 2
                    and len({b.get("event_id") for _, b in _spooled(spool_path)}) >= len(_expected_ids()))
        second.close()
    finally:
        server.close()
    # Kafka refuses the first 4 flushes: the reader above never waited; the publisher sends once it is back
    kafka = Kafka(failures=4)
    checkpoint = Checkpoint(tmp_path / "fs.checkpoint.json")
    size = spool_path.stat().st_size
    follow(spool_path, checkpoint, kafka, poll_seconds=0, sleep=lambda s: None, lines_of=lambda _: SpoolLines(),
           stop=lambda: checkpoint.path.exists() and orjson.loads(checkpoint.path.read_bytes())["offset"] == size)
    published = [orjson.loads(value) for value, _key, dead in kafka.acknowledged if not dead]
    ids = [e["event_id"] for e in published]
    assert len(ids) > len(set(ids))  # the second connection saw some events again ...
    assert set(ids) == _expected_ids()  # ... the same ids: nothing doubled once the worker drops repeats, none lost
    letters = [orjson.loads(value) for value, _key, dead in kafka.acknowledged if dead]
    assert {letter["reason"] for letter in letters} == {"unknown_action"}
    assert "member-teleported" in letters[0]["detail"] and "Event-Sequence" in letters[0]["source"]

