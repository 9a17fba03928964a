"""The chain's first step (``core/intake.py``) over nine hand-written messages: what each returns, what the
batch and the counts hold afterwards.  Fast and pure: no store, no Kafka (``ingest/test_chain.py`` runs the
whole chain)."""

from __future__ import annotations

import orjson

from pipeline.core.decode import Accepted
from pipeline.core.intake import CONFLICTING_DUPLICATE, Counts, DeadLetter, Intake


def _offer(ts: str, key: str = "555-0100") -> bytes:
    return orjson.dumps({"event_id": "e1", "type": "contact.offered", "ts": ts, "contact_id": "c1",
                         "queue": "billing", "channel": "voice", "customer_key": key})


def test_nine_messages_through_the_intake():
    intake = Intake(lambda key: "pseudonym-" + key[::-1])  # 555-0100 -> pseudonym-0010-555
    assert intake.counts == Counts(0, 0, 0, 0)  # nothing read yet: every count starts at 0

    first = intake.feed(_offer("2026-11-02T01:00:00Z"))
    assert isinstance(first, Accepted)
    assert first.event.customer_key == "pseudonym-0010-555"  # pseudonymised before anything keeps it

    assert intake.feed(_offer("2026-11-02T01:00:00Z")) is None  # the same content again: a duplicate
    assert intake.feed(_offer("2026-11-02T01:00:00Z")) is None  # and again: the second duplicate

    conflict = intake.feed(_offer("2026-11-02T01:00:07Z"))  # the same id, another time: a conflicting copy
    assert isinstance(conflict, DeadLetter)
    assert (conflict.reason, conflict.source) == ("conflicting_duplicate", "")  # fed without a source: none
    assert CONFLICTING_DUPLICATE == "conflicting_duplicate"  # the reason operators filter dead letters by
    assert conflict.extra["event_id"] == "e1" and conflict.extra["first_hash"] != conflict.extra["this_hash"]
    assert b"555-0100" not in conflict.raw and b"pseudonym-0010-555" in conflict.raw

    assert isinstance(intake.feed(_offer("2026-11-02T01:00:09Z")), DeadLetter)  # a second conflicting copy

    broken = intake.feed(b"{not json", "calls.jsonl:6")
    assert isinstance(broken, DeadLetter) and (broken.reason, broken.source) == ("invalid_json", "calls.jsonl:6")
    assert isinstance(intake.feed(b"{also not json", "calls.jsonl:7"), DeadLetter)  # a second broken line

    for event_id, contact_id in (("e2", "c1"), ("e3", "c2")):  # two answers: by type, contact.answered twice
        answered = intake.feed(orjson.dumps({"event_id": event_id, "type": "contact.answered",
                                             "ts": "2026-11-02T01:00:05Z", "contact_id": contact_id, "agent_id": "a1"}))
        assert isinstance(answered, Accepted)

    assert (intake.counts.read, intake.counts.accepted, intake.counts.duplicates,
            intake.counts.conflicting_duplicates) == (9, 3, 2, 2)
    assert intake.counts.rejected == {"invalid_json": 2}
    assert intake.counts.by_type == {"contact.offered": 1, "contact.answered": 2}

    batch = intake.take()
    assert [letter.reason for letter in batch.dead_letters] == ["conflicting_duplicate"] * 2 + ["invalid_json"] * 2
    stored_offer = batch.accepted[0][2]
    assert '"customer_key":"pseudonym-0010-555"' in stored_offer and "555-0100" not in stored_offer
    assert list(batch.contacts) == ["c1", "c2"] and batch.contacts["c1"].answered is not None
    assert intake.take().accepted == []  # take() hands the batch over once

    # the conflict's one-line message names the id, both versions and what to fix
    assert conflict.detail == (
        f"event_id 'e1' was seen before with different content (first version {conflict.extra['first_hash']}, "
        f"this version {conflict.extra['this_hash']}); the first copy was kept: fix the producer that reused the id")


def test_the_content_hash_ignores_spelling_and_sees_every_value():
    from pipeline.core.decode import decode
    from pipeline.core.intake import content_hash

    def hashed(raw: bytes) -> bytes:
        accepted = decode(raw)
        assert isinstance(accepted, Accepted)
        return content_hash(accepted.event)

    utc = hashed(_offer("2026-11-02T01:00:00Z"))
    # the same event: keys in another order, other whitespace, the same instant at +08:00
    same = hashed(b'{ "type": "contact.offered", "event_id": "e1", "ts": "2026-11-02T09:00:00+08:00", '
                  b'"channel": "voice", "queue": "billing", "contact_id": "c1", "customer_key": "555-0100" }')
    assert same == utc
    assert hashed(_offer("2026-11-02T01:00:00Z", key="555-0101")) != utc  # one value changed
    assert len(utc) == 4  # CRC-32: four bytes (the seen filter keeps one per event id)


def test_bytes_that_are_not_utf8_outside_the_contracts_fields_are_a_dead_letter_not_a_crash():
    # the decoder skips a field the contract does not name without reading its text: such a message once
    # decoded, then raised out of the intake (its text could not be stored), and a worker stopped on it at
    # every restart.  JSON is UTF-8, so it is invalid JSON: dead-lettered with the reason, the batch goes on.
    ended = (b'{"type":"contact.ended","event_id":"e1","ts":"2026-11-02T08:00:00Z","contact_id":"c1",'
             b'"note":"\xff\xfe"}')
    offered = (b'{"type":"contact.offered","event_id":"e2","ts":"2026-11-02T08:00:00Z","contact_id":"c1",'
               b'"channel":"voice","queue":"billing","customer_key":"555-0100","note":"\xff"}')
    good = orjson.dumps({"event_id": "e3", "type": "contact.answered", "ts": "2026-11-02T08:00:05Z",
                         "contact_id": "c1", "agent_id": "a1"})
    one, many = Intake(lambda key: "p-" + key[::-1]), Intake(lambda key: "p-" + key[::-1])
    expected = [one.feed(raw, f"in:{n}") for n, raw in enumerate((ended, offered, good))]
    got: list = []
    many.feed_all([(raw, n) for n, raw in enumerate((ended, offered, good))], got, where=lambda n: f"in:{n}")
    assert got == expected  # the batch path takes the reference's road for them
    letters = [outcome for outcome in got if isinstance(outcome, DeadLetter)]
    assert [(letter.reason, letter.source) for letter in letters] == [("invalid_json", "in:0"),
                                                                       ("invalid_json", "in:1")]
    assert letters[0].detail.startswith("not UTF-8 text outside the contract's fields (JSON must be UTF-8): ")
    assert letters[0].raw == ended  # kept as it came, for the producer's owner
    assert b"555-0100" not in letters[1].raw and b"p-0010-555" in letters[1].raw  # a customer key still hidden
    assert isinstance(got[2], Accepted)
    assert many.counts == one.counts and (many.counts.read, many.counts.accepted) == (3, 1)
    assert many.counts.rejected == {"invalid_json": 2}


def test_a_time_the_store_cannot_hold_is_a_dead_letter_on_both_paths():
    # year 9999 in UTC is year 10000 on a UTC+8 wall clock: it passed the intake, then the chain stopped
    # when its local 15 minutes were computed; now both paths refuse it before anything keeps it
    far = orjson.dumps({"event_id": "e9", "type": "contact.offered", "ts": "9999-12-31T23:59:59Z",
                        "contact_id": "c9", "queue": "billing", "channel": "voice", "customer_key": "555-0100"})
    one, many = Intake(lambda key: "p-" + key[::-1]), Intake(lambda key: "p-" + key[::-1])
    expected = one.feed(far, "in:1")
    got: list = []
    many.feed_all([(far, "in:1")], got)
    assert got == [expected] and isinstance(expected, DeadLetter) and expected.reason == "bad_timestamp"
    assert b"555-0100" not in expected.raw  # a dead letter keeps no customer's number
    assert many.counts == one.counts and many.take().contacts == {}
