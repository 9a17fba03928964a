"""``Intake.feed_all`` (the chain's batch path) gives what ``feed`` gives message by message: the reference."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone

import pytest

from pipeline.core.decode import epoch_ms, to_epoch_ms
from pipeline.core.intake import Intake
from pipeline.core.pseudonym import pseudonymiser
from tests.fixtures.replay_identity.dumps import INPUT, KEY


def _messages() -> list[tuple[bytes, str]]:
    lines = gzip.decompress(INPUT.read_bytes()).removeprefix(b"\xef\xbb\xbf").splitlines()
    return [(line, f"input:{n}") for n, line in enumerate(lines, start=1) if line.strip()]


def test_feed_all_equals_feed_per_message_on_a_messy_file():
    messages = _messages()
    one, many = Intake(pseudonymiser(KEY)), Intake(pseudonymiser(KEY))
    expected = [one.feed(raw, source) for raw, source in messages]
    got: list = []
    many.feed_all(iter(messages), got)
    assert got == expected
    assert many.counts == one.counts
    assert list(many.counts.by_type) == list(one.counts.by_type)  # the same order of first sight
    a, b = one.take(), many.take()
    assert b.accepted == a.accepted and b.contacts == a.contacts and b.dead_letters == a.dead_letters
    # the file has what the batch path takes a different road for
    assert one.counts.duplicates == 125 and one.counts.conflicting_duplicates == 11
    assert sum(one.counts.rejected.values()) == 9 and len(a.contacts) == 300


def test_a_place_becomes_a_source_only_for_dead_letters_and_repeats():
    # the worker hands (raw, record) and names the place of a dead letter only; the letters carry the same sources
    messages = _messages()
    places = [(raw, ("input", int(source.split(":")[1]))) for raw, source in messages]
    named: list[tuple[str, int]] = []

    def where(place: tuple[str, int]) -> str:
        named.append(place)
        return f"{place[0]}:{place[1]}"

    one, many = Intake(pseudonymiser(KEY)), Intake(pseudonymiser(KEY))
    for raw, source in messages:
        one.feed(raw, source)
    many.feed_all(places, where=where)
    a, b = one.take(), many.take()
    assert b.dead_letters == a.dead_letters and b.accepted == a.accepted
    # the 9 rejected, the 11 conflicting copies and the 125 duplicates: nothing else was named
    assert len(named) == 9 + 11 + 125
    assert {letter.source for letter in b.dead_letters} <= {f"input:{n}" for _, (_, n) in places}


def test_feed_all_without_outcomes_counts_the_same():
    messages = _messages()
    one, many = Intake(pseudonymiser(KEY)), Intake(pseudonymiser(KEY))
    for raw, source in messages:
        one.feed(raw, source)
    many.feed_all(messages)
    assert many.counts == one.counts and many.take().accepted == one.take().accepted


@pytest.mark.parametrize("ts", [
    datetime(2026, 11, 2, 8, 0, 0, 999, tzinfo=timezone(timedelta(hours=8))),
    datetime(1969, 12, 31, 23, 59, 59, 999_500, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=-23, minutes=-59))),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc),
])
def test_fast_epoch_milliseconds_equal_the_reference(ts):
    assert epoch_ms(ts) == to_epoch_ms(ts)


def test_fast_epoch_milliseconds_by_hand():
    assert epoch_ms(datetime(1970, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))) == 0
    assert epoch_ms(datetime(1970, 1, 1, 0, 0, 0, 1999, tzinfo=timezone.utc)) == 1  # truncated, not rounded
    assert epoch_ms(datetime(1969, 12, 31, 23, 59, 59, 999_500, tzinfo=timezone.utc)) == -1  # floored
