"""The event contract's edges (``core/decode.py``, ``core/events.py``), each by hand: the length limits of an id
(128) and a key (256), the message for a time without an offset, the reason for an error no rule names, and
the outcomes as values."""

from __future__ import annotations

import orjson
import pytest

from pipeline.core.decode import Accepted, Rejected, _classify, decode


def _offer(event_id: str = "e1", contact_id: str = "c1", ts: str = "2026-11-02T01:00:00Z") -> bytes:
    return orjson.dumps({"event_id": event_id, "type": "contact.offered", "ts": ts, "contact_id": contact_id,
                         "queue": "billing", "channel": "voice"})


def test_an_id_of_128_characters_and_a_key_of_256_are_the_longest_accepted():
    assert isinstance(decode(_offer(event_id="e" * 128)), Accepted)
    too_long_id = decode(_offer(event_id="e" * 129))
    assert isinstance(too_long_id, Rejected) and too_long_id.reason == "out_of_range"
    assert isinstance(decode(_offer(contact_id="c" * 256)), Accepted)
    too_long_key = decode(_offer(contact_id="c" * 257))
    assert isinstance(too_long_key, Rejected) and too_long_key.reason == "out_of_range"


def test_a_time_without_an_offset_is_refused_with_the_fix():
    refused = decode(_offer(ts="2026-11-02T09:00:00"))
    assert refused == Rejected(
        "bad_timestamp", "`ts` has no UTC offset; write it as RFC 3339 with Z or +hh:mm - at `$.ts`")


def test_an_error_no_rule_names_is_an_invalid_value():
    assert _classify("something msgspec may say one day") == "invalid_value"


@pytest.mark.parametrize("outcome", [decode(_offer()), Rejected("invalid_json", "x")], ids=["accepted", "rejected"])
def test_an_outcome_cannot_be_changed_in_place(outcome):
    name = "ts_ms" if isinstance(outcome, Accepted) else "reason"
    before = getattr(outcome, name)
    with pytest.raises(AttributeError):
        setattr(outcome, name, 0)
    assert getattr(outcome, name) == before
