"""Asterisk ``queue_log`` lines -> contract events (pure: no files, no Kafka).

The format is ``epoch|callid|queue|agent|EVENT|data1|data2|...``, written by
``apps/app_queue.c`` (Asterisk's "Queue Logs" documentation lists each
event's data fields).  The mapping, and the choices behind it:

* ENTERQUEUE(url|callerid[|position]) -> ``contact.offered`` (channel voice,
  ``customer_key`` = the caller id unless empty or anonymous; the store
  pseudonymises it at ingest).  Every ENTERQUEUE starts a new contact, even
  for a call id that was in a queue before (re-entry): the contact id is
  ``<callid>@<queue>@<epoch>``, so it comes from the line itself.
* CONNECT(holdtime[|bridged uniqueid[|ringtime]]) -> ``contact.answered`` at
  the ENTERQUEUE time + holdtime, by the agent field (``NONE`` still
  answers): the durations come from the fields Asterisk logged, never from
  the row times (a CONNECT row may be a second off, or earlier than its
  ENTERQUEUE row).
* COMPLETEAGENT / COMPLETECALLER(holdtime|calltime|origposition) ->
  ``contact.ended`` at answered + calltime, and ``contact.wrapup_completed`` at
  the same moment: queue_log has no after-call work, so ACW is 0 and AHT is
  talk + hold.
* TRANSFER(exten|context|holdtime|calltime[|origposition]) (the older
  4-field row too), BLINDTRANSFER (the same fields) and ATTENDEDTRANSFER
  (method|method data...|holdtime|calltime|origposition: the method data has
  one or two fields, so holdtime and calltime are read from the end) ->
  ``contact.transferred``, then ended and the ACW-0 wrap-up as above.
* ABANDON, EXITWITHTIMEOUT, EXITEMPTY (position|origposition|waittime) and
  EXITWITHKEY (key|position[|origposition|waittime]) -> ``contact.abandoned``
  with ``reason`` customer / timeout / empty / key, at the ENTERQUEUE time +
  waittime (the row time when an older row has no waittime).
* PAUSE(reason) / PAUSEALL -> ``agent.state`` not_ready (reason kept),
  UNPAUSE / UNPAUSEALL, ADDMEMBER, AGENTLOGIN -> available, REMOVEMEMBER,
  AGENTLOGOFF -> logged_out; ``seq`` is the line's number (rows of one second
  keep their file order: a PAUSE after an ADDMEMBER in the same second wins).
  queue_log writes no state for an agent on a call: the store derives
  on_contact from the call's CONNECT and COMPLETE* (``core.agent_work``).
* RINGNOANSWER, RINGCANCELED change no contact; they and the events that are
  not about a queued call (QUEUESTART, CONFIGRELOAD, OUTDIAL, the callback
  agent events, AGENTDUMP, SYSCOMPAT, DID, INFO, the JOIN* refusals) are
  counted as skipped.  Any other event, a short or unreadable row, or a row
  of a call with no ENTERQUEUE before it, is a dead letter with its line
  number and reason; nothing stops the import.
* Rows of a call are taken in file order; several files are read in the
  order given, the open calls carried across them.  A call still queued at
  the end is offered (``waiting``); one still talking is answered, with no
  talk yet.  An exact repeat of a line already read (overlapping rotated
  files) is skipped, and every event id comes from its line, so importing
  the same file twice changes no number.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from pipeline.core.decode import DURATION_BOUND, DURATION_END_S, TS_END_S, TS_MIN_S, TS_RANGE

# event -> the abandon reason it stands for
ABANDONS = {"ABANDON": "customer", "EXITWITHTIMEOUT": "timeout", "EXITEMPTY": "empty", "EXITWITHKEY": "key"}
COMPLETES = ("COMPLETEAGENT", "COMPLETECALLER")
TRANSFERS = ("TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER")
AGENT_STATES = {
    "PAUSE": "not_ready", "PAUSEALL": "not_ready", "UNPAUSE": "available", "UNPAUSEALL": "available",
    "ADDMEMBER": "available", "AGENTLOGIN": "available", "REMOVEMEMBER": "logged_out", "AGENTLOGOFF": "logged_out",
}
SKIPPED = frozenset({
    "RINGNOANSWER", "RINGCANCELED", "QUEUESTART", "CONFIGRELOAD", "OUTDIAL", "AGENTCALLBACKLOGIN",
    "AGENTCALLBACKLOGOFF", "AGENTDUMP", "SYSCOMPAT", "DID", "INFO", "JOINEMPTY", "JOINUNAVAIL", "FULL", "CLOSED",
    "DIVERT_CA_RATIO", "DIVERT_HOLDTIME",
})
_NO_CALLER = frozenset({"", "unknown", "anonymous", "<unknown>", "restricted"})
_HEAD = ("epoch", "callid", "queue", "agent", "event")


class BadLine(ValueError):
    """A row that cannot be mapped; the message is the dead letter's reason."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class OpenCall:
    """A contact offered and not yet over: what later rows of its call need."""

    contact_id: str
    queue: str
    entered_s: float
    answered_s: float | None = None

    def as_list(self) -> list[Any]:
        return [self.contact_id, self.queue, self.entered_s, self.answered_s]


@dataclass
class QueueLogSummary:
    """Every line accounted for: mapped by event, skipped by event, or a dead letter by reason."""

    lines: int = 0
    events: Counter[str] = field(default_factory=Counter)  # emitted, by contract type
    rows: Counter[str] = field(default_factory=Counter)  # mapped rows, by queue_log event
    skipped: Counter[str] = field(default_factory=Counter)  # by queue_log event, or duplicate_line
    dead: Counter[str] = field(default_factory=Counter)  # by reason
    waiting_at_end: int = 0
    talking_at_end: int = 0

    @property
    def read_any(self) -> bool:
        """At least one line was mapped or knowingly skipped (the exit status depends on it)."""
        return sum(self.rows.values()) + sum(self.skipped.values()) > 0


@lru_cache(maxsize=8192)  # a busy log stamps many rows with the same second
def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _seconds(values: list[str], index: int, name: str, event: str) -> float:
    """A duration field (seconds, >= 0); ``index`` may be negative (counted from the end)."""
    try:
        text = values[index]
    except IndexError:
        raise BadLine("missing_field", f"{event} has no {name} field ({len(values)} data fields)") from None
    try:
        value = float(text)
    except ValueError:
        raise BadLine("bad_number", f"{event} {name} {text!r} is not a number of seconds") from None
    if value < 0:
        raise BadLine("bad_number", f"{event} {name} {text!r} is negative")
    if not value < DURATION_END_S:  # infinity and NaN too
        raise BadLine("bad_number", f"{event} {name} {text!r} is not a duration a call can have ({DURATION_BOUND})")
    return value


class QueueLogMapper:
    """Feeds lines in file order; keeps the open calls (and, for a batch, the lines seen)."""

    def __init__(self, remember_lines: bool = True) -> None:
        self.calls: dict[str, OpenCall] = {}
        self.summary = QueueLogSummary()
        self._seen: set[bytes] | None = set() if remember_lines else None

    # --- state for a follower's checkpoint ---
    def open_calls(self) -> list[list[Any]]:
        return [[callid, *call.as_list()] for callid, call in self.calls.items()]

    def restore(self, open_calls: list[list[Any]]) -> None:
        self.calls = {row[0]: OpenCall(row[1], row[2], row[3], row[4]) for row in open_calls}

    def feed(self, line: str, seq: int | None = None) -> list[dict[str, Any]]:
        """The events of one line; raises BadLine (counted in the summary) when it cannot be mapped.

        ``seq`` orders the line's agent state among rows of the same second: the follower gives the file's
        line number (kept in its checkpoint, so a restart numbers alike); by default the lines fed so far."""
        self.summary.lines += 1
        try:
            return self._map(line.rstrip("\r\n"), self.summary.lines if seq is None else seq)
        except BadLine as exc:
            self.summary.dead[exc.reason] += 1
            raise

    def finish(self) -> QueueLogSummary:
        """End of input: what is still open is waiting (offered only) or talking (answered, no end)."""
        self.summary.talking_at_end = sum(1 for call in self.calls.values() if call.answered_s is not None)
        self.summary.waiting_at_end = len(self.calls) - self.summary.talking_at_end
        return self.summary

    def _map(self, line: str, seq: int) -> list[dict[str, Any]]:
        values = line.split("|")
        if len(values) < len(_HEAD):
            raise BadLine("too_few_fields", f"{len(values)} fields, expected at least 5: "
                                            "epoch|callid|queue|agent|event")
        epoch_text, callid, queue, agent, event = values[:5]
        data = values[5:]
        try:
            epoch = float(epoch_text)
        except ValueError:
            raise BadLine("bad_epoch", f"epoch {epoch_text!r} is not a number (seconds since 1970)") from None
        if not TS_MIN_S <= epoch < TS_END_S:  # NaN too: no comparison holds (printed, a time past 9999 stopped us)
            raise BadLine("bad_epoch", f"epoch {epoch_text!r} is outside {TS_RANGE}; check the switch's clock")
        if not event:
            raise BadLine("no_event", "the event field (5th) is empty")
        if self._seen is not None:
            digest = hashlib.blake2b(line.encode(), digest_size=16).digest()
            if digest in self._seen:
                self.summary.skipped["duplicate_line"] += 1
                return []
            self._seen.add(digest)
        if event in SKIPPED:
            self.summary.skipped[event] += 1
            return []
        if event in AGENT_STATES:
            return self._emit(event, [self._agent_state(line, seq, epoch, agent, event, data)])
        if event == "ENTERQUEUE":
            return self._emit(event, [self._enter(epoch, callid, queue, data)])
        if event in ABANDONS or event in COMPLETES or event in TRANSFERS or event == "CONNECT":
            return self._emit(event, self._call_row(epoch, callid, agent, event, data))
        raise BadLine("unknown_event", f"event {event!r} is not a queue_log event this importer knows")

    def _emit(self, event: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.summary.rows[event] += 1
        for item in events:
            self.summary.events[item["type"]] += 1
        return events

    def _agent_state(self, line: str, seq: int, epoch: float, agent: str, event: str,
                     data: list[str]) -> dict[str, Any]:
        if agent in ("", "NONE"):
            raise BadLine("no_agent", f"{event} names no agent (4th field {agent!r})")
        body: dict[str, Any] = {"agent_id": agent, "state": AGENT_STATES[event], "seq": seq}
        if event in ("PAUSE", "PAUSEALL") and data and data[0]:
            body["reason"] = data[0]
        # a PAUSE is logged once per queue: the queue is part of the line, so each gets its own id
        event_id = "aq-" + hashlib.blake2b(line.encode(), digest_size=12).hexdigest()
        return {"event_id": event_id, "type": "agent.state", "ts": _iso(epoch), **body}

    def _enter(self, epoch: float, callid: str, queue: str, data: list[str]) -> dict[str, Any]:
        if callid in ("", "NONE") or queue in ("", "NONE"):
            raise BadLine("no_call", f"ENTERQUEUE needs a call id and a queue (got {callid!r}, {queue!r})")
        contact_id = f"{callid}@{queue}@{epoch_text(epoch)}"
        self.calls[callid] = OpenCall(contact_id, queue, epoch)  # a re-entry replaces the call's open contact
        body: dict[str, Any] = {"channel": "voice", "queue": queue, "direction": "inbound"}
        caller = data[1].strip() if len(data) > 1 else ""
        if caller.lower() not in _NO_CALLER:
            body["customer_key"] = caller
        return _contact_event(contact_id, "offered", epoch, body)

    def _call_row(self, epoch: float, callid: str, agent: str, event: str, data: list[str]) -> list[dict[str, Any]]:
        call = self.calls.get(callid)
        if call is None:
            raise BadLine("no_enterqueue", f"{event} for call {callid!r} with no ENTERQUEUE before it "
                                           "(give the earlier rotated file first)")
        cid = call.contact_id
        if event == "CONNECT":
            call.answered_s = call.entered_s + _seconds(data, 0, "holdtime", event)
            return [_contact_event(cid, "answered", call.answered_s, {"agent_id": agent or "NONE"})]
        if event in ABANDONS:
            waittime_at = 3 if event == "EXITWITHKEY" else 2
            at = call.entered_s + _seconds(data, waittime_at, "waittime", event) if len(data) > waittime_at else epoch
            del self.calls[callid]
            return [_contact_event(cid, "abandoned", at, {"reason": ABANDONS[event]})]
        # a completed or transferred call: holdtime and calltime are logged on the row itself
        if event == "ATTENDEDTRANSFER":
            hold_i, call_i = -3, -2
            if len(data) < 5:
                raise BadLine("missing_field", f"{event} has {len(data)} data fields, expected at least 5 "
                                               "(method|method data|holdtime|calltime|origposition)")
        else:
            hold_i, call_i = (2, 3) if event in TRANSFERS else (0, 1)
        calltime = _seconds(data, call_i, "calltime", event)
        answered = call.answered_s
        if answered is None:  # no CONNECT row (lost): the row's own holdtime places the answer
            answered = call.entered_s + _seconds(data, hold_i, "holdtime", event)
        ended = answered + calltime
        del self.calls[callid]
        events = []
        if call.answered_s is None:
            events.append(_contact_event(cid, "answered", answered, {"agent_id": agent or "NONE"}))
        if event in TRANSFERS:  # the target is an extension or a bridge, not an agent id: not passed on
            events.append(_contact_event(cid, "transferred", ended, {}))
        events.append(_contact_event(cid, "ended", ended, {}))
        events.append(_contact_event(cid, "wrapup_completed", ended, {"agent_id": agent or "NONE"}))
        return events


def epoch_text(epoch: float) -> str:
    """The epoch as Asterisk wrote it (no ``.0`` for whole seconds), for ids built from it."""
    return str(int(epoch)) if epoch == int(epoch) else repr(epoch)


def _contact_event(contact_id: str, kind: str, epoch: float, body: dict[str, Any]) -> dict[str, Any]:
    # one event of each kind per contact: the contact id (from its ENTERQUEUE line) and the kind make the id
    return {"event_id": f"{contact_id}/{kind}", "type": f"contact.{kind}", "ts": _iso(epoch),
            "contact_id": contact_id, **body}


def pseudonymised_caller(line: bytes, pseudonymise: Callable[[str], str]) -> bytes:
    """A line for a dead letter: an ENTERQUEUE's caller id (``epoch|callid|queue|agent|ENTERQUEUE|url|callerid|
    ...``) replaced by its pseudonym, the rest as it came.  The mapping would have made it the customer key,
    which the store only ever holds pseudonymised; the pseudonym is the one the store holds for the same caller
    (an erasure finds it), and a line that could not be mapped needs its shape fixed, not the number."""
    fields = line.split(b"|")
    if len(fields) > 6 and fields[4].strip() == b"ENTERQUEUE":
        caller = fields[6].decode("utf-8", "replace").strip()
        if caller.lower() not in _NO_CALLER:
            fields[6] = pseudonymise(caller).encode()
    return b"|".join(fields)
