"""Bytes in, a valid event or a rejection with its reason out.

Every rejection carries a short reason code (for counters and the replay
summary) and the validator's own sentence (for the dead-letter record), so a
bad event is explained, never silently dropped.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import msgspec
from msgspec import Struct

from pipeline.core.events import Event

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS = timedelta(milliseconds=1)
_decoder = msgspec.json.Decoder(Event)

REASONS = (
    "invalid_json",
    "not_an_object",
    "missing_type",
    "unknown_type",
    "missing_field",
    "wrong_type",
    "out_of_range",
    "invalid_value",
    "bad_timestamp",
)


class Accepted(Struct, frozen=True):
    event: Event
    ts_ms: int


class Rejected(Struct, frozen=True):
    reason: str
    detail: str


_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"missing required field `type`"), "missing_type"),
    (re.compile(r"Invalid value .* at `\$\.type`"), "unknown_type"),
    (re.compile(r"at `\$\.ts`"), "bad_timestamp"),
    (re.compile(r"^Expected `object`, got `\w+`$"), "not_an_object"),
    (re.compile(r"missing required field"), "missing_field"),
    (re.compile(r"^Expected `[^`]+`, got `[^`]+`"), "wrong_type"),
    (re.compile(r"^Expected `[^`]+` (of length )?[<>]=?"), "out_of_range"),
    (re.compile(r"Invalid enum value|Invalid value"), "invalid_value"),
)


def _classify(message: str) -> str:
    for pattern, reason in _RULES:
        if pattern.search(message):
            return reason
    return "invalid_value"


# The times the store can hold.  ClickHouse's DateTime (seconds in 32 bits, unsigned) counts from 1970 to
# 2106, and the store floors a time to its local day and 15 minutes with it; a local day a few hours either
# side of UTC must fit too.  An event outside these years is a producer's broken clock (year 0001 from a
# zero value, 9999 from a "never"), not a contact: it once passed the intake and then stopped the chain when
# its local 15 minutes were computed (year 10000 in UTC+8).
TS_MIN_MS = 86_400_000  # 1970-01-02T00:00:00Z
TS_END_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z
TS_MIN_S, TS_END_S = TS_MIN_MS // 1000, TS_END_MS // 1000  # the importers' epoch seconds
TS_RANGE = "1970-01-02 to 2099-12-31 (UTC), the times the store can hold"
# The importers' durations (seconds, seven digits at most): a time in range plus a few of them stays a time
# Python can print (an infinite or 10**15-second wait stopped an import); past 2099 the intake refuses it.
DURATION_END_S = 10_000_000
DURATION_BOUND = f"at most {DURATION_END_S - 1:,} seconds, about 115 days"  # said by every importer refusing one
# the range as a ten-digit epoch is written: the fast importers compare an epoch's text before converting it
TS_MIN_TEXT, TS_END_TEXT = f"{TS_MIN_S:010d}", f"{TS_END_S:010d}"
OUT_OF_RANGE = f"`ts` is outside {TS_RANGE}; check the producer's clock - at `$.ts`"


def to_epoch_ms(ts: datetime) -> int:
    """Exact integer milliseconds (sub-millisecond digits are truncated)."""
    return (ts - _EPOCH) // _MS


_UNIX_DAY = 719163  # date(1970, 1, 1).toordinal()
_offsets_us: dict[object, int] = {}  # a decoded time's tzinfo -> its UTC offset in microseconds


def epoch_ms(ts: datetime) -> int:
    """``to_epoch_ms`` without the two ``timedelta`` objects it makes (the intake's batch path: a third of its
    time went to them), for the fixed-offset times the decoder makes; any other tzinfo takes ``to_epoch_ms``."""
    tz = ts.tzinfo
    offset = _offsets_us.get(tz)
    if offset is None:
        if type(tz) is not timezone:
            return to_epoch_ms(ts)
        offset = _offsets_us[tz] = ts.utcoffset() // timedelta(microseconds=1)  # type: ignore[operator]
    return ((ts.toordinal() - _UNIX_DAY) * 86_400_000_000 + ((ts.hour * 60 + ts.minute) * 60 + ts.second) * 1_000_000
            + ts.microsecond - offset) // 1000


def decode(raw: bytes) -> Accepted | Rejected:
    """Validate one message of the event contract v1."""
    try:
        event = _decoder.decode(raw)
    except msgspec.ValidationError as exc:
        message = str(exc)
        return Rejected(_classify(message), message)
    except msgspec.DecodeError as exc:
        return Rejected("invalid_json", str(exc))
    if event.ts.tzinfo is None:
        return Rejected("bad_timestamp", "`ts` has no UTC offset; write it as RFC 3339 with Z or +hh:mm - at `$.ts`")
    ts_ms = to_epoch_ms(event.ts)
    if not TS_MIN_MS <= ts_ms < TS_END_MS:
        return Rejected("bad_timestamp", OUT_OF_RANGE)
    return Accepted(event, ts_ms)
