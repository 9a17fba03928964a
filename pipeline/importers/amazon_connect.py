"""Amazon Connect contact records (CTRs) -> contract events (pure: text in, events out).

Field names follow the contact record data model of the Amazon Connect
administrator guide.  The mapping, and the choices behind it:

* Records are delivered at least once, and again when a contact changes
  (after-contact work ends, attributes are updated): one record per
  ``ContactId`` is kept across every file of an import, the one with the
  newest ``LastUpdateTimestamp`` wherever it stands in the input (a tie: the
  later one read).  Event ids are ``<ContactId>/<kind>``, so importing the same
  records again changes no number.
* A record with no ``Queue.EnqueueTimestamp`` was never queued: no queue
  contact (counted as ``not_queued``).  Channels VOICE and CHAT map to voice and
  chat; TASK and EMAIL are not queue calls of this contract (counted).
* ``Queue.EnqueueTimestamp`` -> ``contact.offered`` (``Queue.Name``; direction
  from ``InitiationMethod``: OUTBOUND is outbound, everything else inbound;
  ``customer_key`` from ``CustomerEndpoint.Address``, pseudonymised at ingest).
* ``Agent.ConnectedToAgentTimestamp`` -> ``contact.answered`` at enqueue +
  ``Queue.Duration`` (the wait Connect itself measured; the connected
  timestamp when the duration is missing), by ``Agent.Username``.
* ``Agent.CustomerHoldDuration`` -> one hold of that length from the answer
  (the record has the total, not the moments; talk = connected time - hold
  either way).
* ``Agent.AfterContactWorkStartTimestamp`` -> ``contact.ended`` (without ACW:
  ``DisconnectTimestamp``), and the wrap-up at ended +
  ``Agent.AfterContactWorkDuration`` (``AfterContactWorkEndTimestamp`` when the
  duration is missing; ACW 0 when the contact ended with no ACW at all).
* Queued but never connected to an agent, and out of the queue
  (``Queue.DequeueTimestamp`` or ``DisconnectTimestamp``): ``contact.abandoned``
  at enqueue + ``Queue.Duration``.  Still in the queue: offered only (waiting).
* ``NextContactId`` or ``TransferCompletedTimestamp`` on a connected contact ->
  ``contact.transferred`` (at the transfer time, else at the end).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pipeline.core.decode import DURATION_BOUND, DURATION_END_S, TS_END_S, TS_MIN_S, TS_RANGE

CHANNELS = {"VOICE": "voice", "CHAT": "chat"}
_FIRST, _END = (datetime.fromtimestamp(s, timezone.utc) for s in (TS_MIN_S, TS_END_S))  # the contract's times
_decoder = json.JSONDecoder()


class BadRecord(ValueError):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class CtrSummary:
    records: int = 0
    duplicates: int = 0  # older deliveries of a ContactId, dropped
    contacts: Counter[str] = field(default_factory=Counter)  # answered, abandoned, waiting
    skipped: Counter[str] = field(default_factory=Counter)  # not_queued, channel_TASK, ...
    dead: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Piece:
    """One JSON value from a file, or why a stretch of it could not be read."""

    line: int
    value: Any = None
    error: str = ""


def split_json(text: str) -> list[Piece]:
    """The records of a file: JSON Lines, a JSON array, one object, or objects written back to back
    (as Kinesis Firehose delivers them).  A stretch that is not JSON costs its line only."""
    pieces: list[Piece] = []
    pos, end = 0, len(text)
    while pos < end:
        while pos < end and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= end:
            break
        line = text.count("\n", 0, pos) + 1
        try:
            value, after = _decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            pieces.append(Piece(line, error=f"not JSON: {exc.msg}"))
            newline = text.find("\n", pos)
            pos = end if newline < 0 else newline + 1
            continue
        if isinstance(value, list):
            pieces.extend(Piece(line, item) for item in value)
        else:
            pieces.append(Piece(line, value))
        pos = after
    return pieces


def _instant(record: dict[str, Any], path: str, required: bool = False) -> datetime | None:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value in (None, ""):
        if required:
            raise BadRecord("missing_field", f"{path} is missing")
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadRecord("bad_timestamp", f"{path} {value!r} is not an ISO 8601 timestamp") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if not _FIRST <= moment < _END:  # a time past 9999 once stopped the import when a duration was added
        raise BadRecord("bad_timestamp", f"{path} {value!r} is outside {TS_RANGE}")
    return moment


def _seconds(record: dict[str, Any], path: str) -> float | None:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadRecord("bad_duration", f"{path} {value!r} is not a number of seconds")
    if not abs(value) < DURATION_END_S:
        raise BadRecord("bad_duration", f"{path} {value!r} is not a duration a contact can have ({DURATION_BOUND})")
    return float(value)


def contact_id_of(record: Any) -> str:
    if not isinstance(record, dict):
        raise BadRecord("not_an_object", f"a contact record is a JSON object, got {type(record).__name__}")
    contact_id = record.get("ContactId")
    if not isinstance(contact_id, str) or not contact_id:
        raise BadRecord("no_contact_id", "the record has no ContactId (every contact record carries one)")
    return contact_id


def last_update(record: dict[str, Any]) -> datetime:
    """``LastUpdateTimestamp``; a record without one is older than any that has one."""
    return _instant(record, "LastUpdateTimestamp") or datetime.min.replace(tzinfo=timezone.utc)


def _ts(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def convert_record(record: dict[str, Any], summary: CtrSummary) -> list[dict[str, Any]]:
    """One (deduplicated) record -> its events; raises BadRecord."""
    contact_id = contact_id_of(record)
    enqueued = _instant(record, "Queue.EnqueueTimestamp")
    if enqueued is None:
        summary.skipped["not_queued"] += 1
        return []
    channel = CHANNELS.get(str(record.get("Channel", "VOICE")).upper())
    if channel is None:
        summary.skipped[f"channel_{record.get('Channel')}"] += 1
        return []
    queue_info = record.get("Queue") or {}
    queue = queue_info.get("Name") or queue_info.get("ARN")
    if not queue:
        raise BadRecord("missing_field", "Queue.Name (or Queue.ARN) is missing")
    events: list[dict[str, Any]] = []

    def add(kind: str, moment: datetime, **body: Any) -> None:
        events.append({"event_id": f"{contact_id}/{kind}", "type": f"contact.{kind}", "ts": _ts(moment),
                       "contact_id": contact_id, **body})

    offered: dict[str, Any] = {"channel": channel, "queue": queue,
                               "direction": "outbound" if record.get("InitiationMethod") == "OUTBOUND" else "inbound"}
    address = (record.get("CustomerEndpoint") or {}).get("Address")
    if address:
        offered["customer_key"] = str(address)
    add("offered", enqueued, **offered)

    waited = _seconds(record, "Queue.Duration")
    connected = _instant(record, "Agent.ConnectedToAgentTimestamp")
    disconnected = _instant(record, "DisconnectTimestamp")
    if connected is None:
        left = _instant(record, "Queue.DequeueTimestamp") or disconnected
        if left is None:
            summary.contacts["waiting"] += 1
        else:
            add("abandoned", enqueued + timedelta(seconds=waited) if waited is not None else left)
            summary.contacts["abandoned"] += 1
        return events

    agent_info = record.get("Agent") or {}
    agent = agent_info.get("Username") or agent_info.get("ARN")
    if not agent:
        raise BadRecord("missing_field", "Agent.Username (or Agent.ARN) is missing on a connected contact")
    answered = enqueued + timedelta(seconds=waited) if waited is not None else connected
    add("answered", answered, agent_id=agent)
    summary.contacts["answered"] += 1
    held = _seconds(record, "Agent.CustomerHoldDuration") or 0
    if held > 0:
        add("hold_started", answered)
        add("hold_ended", answered + timedelta(seconds=held))
    ended = _instant(record, "Agent.AfterContactWorkStartTimestamp") or disconnected
    if ended is None:
        return events  # still connected
    transfer_at = _instant(record, "TransferCompletedTimestamp")
    if transfer_at is not None or record.get("NextContactId"):
        add("transferred", transfer_at or ended)
    add("ended", ended)
    acw = _seconds(record, "Agent.AfterContactWorkDuration")
    acw_end = _instant(record, "Agent.AfterContactWorkEndTimestamp")
    if acw is not None:
        add("wrapup_completed", ended + timedelta(seconds=acw), agent_id=agent)
    elif acw_end is not None:
        add("wrapup_completed", acw_end, agent_id=agent)
    elif _instant(record, "Agent.AfterContactWorkStartTimestamp") is None:
        add("wrapup_completed", ended, agent_id=agent)  # no after-contact work at all: ACW 0
    # else ACW started and has not ended yet: no wrap-up, the contact is not in AHT yet
    return events
