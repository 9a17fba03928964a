"""The worker's pure parts, without Kafka or a store: keys, pacing, duplicates, batching, dead letters, clock."""

from __future__ import annotations

import base64

import orjson
import pytest

from pipeline.core.intake import Intake
from pipeline.ingest.chain import Load, take_in
from pipeline.core.pseudonym import pseudonymiser
from pipeline.kafka.producer import Pacer, key_of, message_key, stream_live
from pipeline.worker import batching
from pipeline.worker.clock import Clock
from pipeline.worker.seen import BoundedSeen
from tests.fixtures.events import answered, event, offered
from tests.fixtures.stores import TEST_KEY


def _intake(seen: set[str] | None = None) -> Intake:
    return Intake(pseudonymiser(TEST_KEY), seen=seen if seen is not None else BoundedSeen(100))


def _messages(payloads: list[bytes], topic: str = "p.events", partition: int = 2) -> list[batching.Message]:
    return [batching.Message(raw, topic, partition, 100 + i) for i, raw in enumerate(payloads)]


def _take_in(intake: Intake, messages: list[batching.Message]) -> tuple[Load, batching.Tally]:
    """The chain's first step over Kafka records, as the worker runs it, and the batch's tallies."""
    load = Load(messages=batching.raw_messages(messages), where=batching.source_of)
    take_in(intake, load)
    return load, batching.tally(load)


# --- keys: a contact's events share a partition ---

def test_contact_events_are_keyed_by_contact_and_agent_events_by_agent() -> None:
    assert message_key(orjson.dumps(answered("c1", 5, agent="a9"))) == b"c1"
    assert message_key(orjson.dumps(event("survey.csat", 9, contact_id="c1", score=5))) == b"c1"
    assert message_key(orjson.dumps(event("agent.state", 1, agent_id="a9", state="available"))) == b"a9"
    complaint = event("complaint.filed", 1, agent_id="a9", contact_id="c1", valid=True, escalated=False)
    assert message_key(orjson.dumps(complaint)) == b"a9"


@pytest.mark.parametrize("raw", [b"\xff\xfe garbage", b"{not json", b"[1, 2]", b'"text"', b'{"type": "x"}',
                                 b'{"contact_id": 5}'])
def test_lines_without_a_usable_id_go_unkeyed(raw: bytes) -> None:
    assert message_key(raw) is None


def test_key_falls_back_to_the_other_id() -> None:
    assert key_of({"type": "complaint.filed", "contact_id": "c7"}) == b"c7"
    assert key_of({"type": "contact.answered", "agent_id": "a1"}) == b"a1"


# --- pacing ---

class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_pacer_holds_the_long_run_rate() -> None:
    fake = FakeTime()
    pacer = Pacer(100.0, clock=fake.clock, sleep=fake.sleep)
    for _ in range(500):
        pacer.tick()
    assert fake.now == pytest.approx(5.0, abs=0.01)


def test_pacer_without_rate_never_sleeps() -> None:
    fake = FakeTime()
    pacer = Pacer(None, clock=fake.clock, sleep=fake.sleep)
    for _ in range(1000):
        pacer.tick()
    assert fake.slept == []


class RecordingProducer:
    def __init__(self, fake: FakeTime) -> None:
        self.fake, self.sent, self.flushes = fake, [], 0

    def send(self, topic: str, value: bytes, key: bytes | None) -> None:
        self.sent.append((self.fake.now, topic, key, orjson.loads(value)["event_id"]))

    def flush(self) -> None:
        self.flushes += 1


def test_live_stream_sends_each_event_at_its_time_divided_by_speed() -> None:
    fake = FakeTime()
    producer = RecordingProducer(fake)
    events = [offered("c1", 0), answered("c1", 20), offered("c2", 60)]
    summary = stream_live(producer, "p.events", events, speed=10, clock=fake.clock, sleep=fake.sleep)
    assert summary.sent == 3 and summary.unkeyed == 0
    assert [round(t, 3) for t, *_ in producer.sent] == [0.0, 2.0, 6.0]
    assert [key for _, _, key, _ in producer.sent] == [b"c1", b"c1", b"c2"]


# --- the bounded duplicate filter ---

def test_bounded_seen_remembers_at_least_half_its_capacity() -> None:
    """Batches of 7 ids, capacity 10: by hand, batch 1 leaves 7 (nothing forgotten); batch 2 makes 14 > 10, so the
    oldest 9 go (e0-e8) and e9-e13 stay; each later batch makes 12, so 7 go and the newest 5 stay."""
    seen = BoundedSeen(capacity=10)
    trimmed = []
    for batch in range(14):
        for i in range(batch * 7, batch * 7 + 7):
            seen[f"e{i}"] = bytes([i])
        trimmed.append(seen.trim())
    assert trimmed == [0, 9] + [7] * 12
    assert sorted(seen) == [f"e{i}" for i in range(93, 98)] and seen.remembered() == 5
    assert "e0" not in seen and seen.get("e0") is None and seen.get("e97") == bytes([97])


def test_bounded_seen_works_as_the_intakes_filter() -> None:
    intake = _intake(BoundedSeen(1000))
    one = orjson.dumps(offered("c1", 0))
    _load, done = _take_in(intake, _messages([one, one, one]))
    assert done.consumed == {"contact.offered": 1}
    assert done.duplicates == {"contact.offered": 2}


def test_the_intake_trims_a_bounded_filter_when_it_hands_over_a_batch() -> None:
    seen = BoundedSeen(capacity=4)
    intake = _intake(seen)
    lines = [orjson.dumps(offered(f"c{i}", i)) for i in range(6)]
    _take_in(intake, _messages(lines))
    assert seen.remembered() == 2  # 6 > 4: the oldest 4 forgotten when the batch was taken
    _load, done = _take_in(intake, _messages([lines[5], lines[0]]))
    assert done.duplicates == {"contact.offered": 1} and done.consumed == {"contact.offered": 1}  # c0: forgotten


def test_each_batch_tallies_only_its_own_repeats_and_conflicts() -> None:
    """Batch 1: an offer, its exact copy, another version under its id; batch 2: the copy again and an answer."""
    intake = _intake(BoundedSeen(1000))
    one = offered("c1", 0)
    first, again, other = orjson.dumps(one), orjson.dumps(one), orjson.dumps({**one, "queue": "sales"})
    _load, done = _take_in(intake, _messages([first, again, other]))
    assert (done.consumed, done.duplicates, done.conflicting, done.rejected) == (
        {"contact.offered": 1}, {"contact.offered": 1}, {"contact.offered": 1}, {})
    _load, done = _take_in(intake, _messages([again, orjson.dumps(answered("c1", 9))]))
    assert (done.consumed, done.duplicates, done.conflicting) == ({"contact.answered": 1}, {"contact.offered": 1}, {})
    assert done.newest_ts_ms == 1_793_581_209_000  # 09:00:09 Shanghai (see the test below)


# --- one batch through the intake ---

def test_batch_counts_by_type_and_reason_and_keeps_contacts() -> None:
    good = [orjson.dumps(e) for e in (offered("c1", 0), answered("c1", 12), event("agent.state", 3, agent_id="a1",
                                                                                   state="available"))]
    bad = [b"\xff\xfe\x00garbage", b"{oops", orjson.dumps({**offered("c2", 1), "contact_id": 5}),
           orjson.dumps(event("contact.teleported", 1, contact_id="c3"))]
    load, done = _take_in(_intake(), _messages(good + bad))
    assert done.consumed == {"contact.offered": 1, "contact.answered": 1, "agent.state": 1}
    assert done.rejected == {"invalid_json": 2, "wrong_type": 1, "unknown_type": 1}
    assert set(load.batch.contacts) == {"c1"} and len(load.batch.accepted) == 3


def test_dead_letter_record_has_reason_detail_source_and_original_bytes() -> None:
    garbage, text = b"\xff\xfe\x00garbage", b"{oops"
    load, _done = _take_in(_intake(), _messages([garbage, text], topic="p.events", partition=1))
    records = [orjson.loads(batching.dead_letter_record(letter)) for letter in load.batch.dead_letters]
    assert [r["reason"] for r in records] == ["invalid_json", "invalid_json"]
    assert [r["source"] for r in records] == ["p.events/1/100", "p.events/1/101"]
    assert base64.b64decode(records[0]["raw_base64"]) == garbage
    assert records[1]["raw"] == text.decode() and records[1]["detail"]


def test_newest_time_ignores_late_kinds_of_event() -> None:
    late_qa = event("qa.evaluated", 86_400, contact_id="c1", agent_id="a1", score=90, fatal_errors=0,
                    nonfatal_errors=0, opportunities=10)
    batch = [offered("c1", 0), answered("c1", 30), late_qa, event("agent.state", 12, agent_id="a1", state="available")]
    _load, done = _take_in(_intake(), _messages([orjson.dumps(e) for e in batch]))
    # by hand: BASE is 2026-11-02T01:00:00Z = Shanghai midnight 1_793_548_800_000 + 9 h (32_400_000 ms)
    # = 1_793_581_200_000; the newest live event is the answer 30 s later; the QA a day later does not count
    assert done.newest_ts_ms == 1_793_581_230_000


def test_clock_modes() -> None:
    events_clock = Clock("events")
    events_clock.seen(5_000)
    events_clock.seen(None)
    events_clock.seen(3_000)
    assert events_clock.newest_ms == 5_000
    with pytest.raises(ValueError):
        Clock("sundial")
