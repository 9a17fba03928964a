"""FreeSWITCH mod_callcenter -> contract events (pure: header dicts and CDR variables in, events out).

Facts from ``mod_callcenter.c`` (signalwire/freeswitch): every ``CC-*-Time``
header and ``cc_*_epoch`` variable is epoch seconds, ``Event-Date-Timestamp``
microseconds; values reach us URL-decoded (the ESL reader and the CDR reader
decode them; ``售后@default`` stays so).  The mapping, one rule per line:

* a contact is one queue visit, keyed by ``CC-Member-UUID`` /
  ``cc_member_uuid``, member legs only (``cc_side=member``: agent legs carry
  ``cc_queue_joined_epoch`` too and are not contacts); event ids are
  ``<member uuid>/<kind>``, so the live follower and the CDR import of the same
  call write the same events and a reconnect that sees events again doubles
  nothing;
* offered at ``cc_queue_joined_epoch`` (``variable_cc_queue_joined_epoch`` of
  ``member-queue-start``) in ``CC-Queue`` / ``cc_queue``, the caller number as
  customer key (pseudonymised at ingest);
* answered at ``CC-Agent-Answered-Time`` / ``cc_queue_answered_epoch`` by
  ``CC-Agent`` / ``cc_agent``; ended at ``CC-Bridge-Terminated-Time`` /
  ``cc_queue_terminated_epoch``; the wrap-up at the end + the agent's
  ``wrap_up_time`` (``callcenter_config agent list``; 0 when unknown):
  mod_callcenter raises no event for it;
* abandoned at ``CC-Member-Leaving-Time`` / ``cc_queue_canceled_epoch``, the
  reason from ``CC-Cancel-Reason`` / ``cc_cancel_reason``: BREAK_OUT ->
  customer, TIMEOUT -> timeout, NO_AGENT_TIMEOUT -> empty, EXIT_WITH_KEY ->
  key; a BREAK_OUT whose member channel carries ``transfer_history`` left the
  queue by a transfer: ``contact.transferred`` and ``contact.ended`` at that
  time, not an abandon (it stays offered, neither answered nor abandoned);
* agent status changes (``agent-status-change``) at ``Event-Date-Timestamp``:
  Available / Available (On Demand) -> available, On Break -> not_ready
  (reason ``On Break``), Logged Out -> logged_out; ``agent-state-change`` Idle
  -> not_ready (reason ``Idle``: an on-demand agent after a call), Waiting ->
  available only while the agent's status is an Available one (an agent on
  break returns to Waiting after a call); Receiving, In a queue call and
  Reserved change nothing here: the call itself makes the agent on a contact
  (``core.agent_work``).  ``seq`` is ``Event-Sequence``, the event id
  ``fs/<Core-UUID>/<Event-Sequence>``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pipeline.core.decode import TS_END_S, TS_MIN_S, TS_RANGE

CANCEL_REASONS = {"BREAK_OUT": "customer", "TIMEOUT": "timeout", "NO_AGENT_TIMEOUT": "empty", "EXIT_WITH_KEY": "key"}
STATUSES = {"Available": "available", "Available (On Demand)": "available", "On Break": "not_ready",
            "Logged Out": "logged_out"}
_NO_CALLER = frozenset({"", "unknown", "anonymous", "0000000000"})
_QUIET_ACTIONS = frozenset({"members-count", "agent-add", "agent-offering", "agent-status-get", "agent-state-get",
                            "agent-uuid-get", "agent-contact-change", "agent-max-no-answer", "bridge-agent-fail",
                            "member-queue-resume"})


class BadEvent(ValueError):
    """An event or record that cannot be mapped; ``reason`` names the dead letter's kind."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass
class CallcenterSummary:
    events: Counter[str] = field(default_factory=Counter)  # emitted, by contract type
    skipped: Counter[str] = field(default_factory=Counter)  # by CC-Action or record kind
    dead: Counter[str] = field(default_factory=Counter)  # by reason


def iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch(values: dict[str, str], name: str) -> int:
    """A required epoch-seconds field (a ``CC-*-Time`` header or a ``cc_*_epoch`` variable)."""
    text = values.get(name, "")
    if not text:
        raise BadEvent("missing_field", f"{name} is missing")
    try:
        seconds = int(text)
    except ValueError:
        raise BadEvent("bad_number", f"{name} {text!r} is not epoch seconds") from None
    if seconds <= 0:
        raise BadEvent("bad_number", f"{name} {text!r} is not a time (0: the step never happened)")
    if not TS_MIN_S <= seconds < TS_END_S:  # printed, a time past year 9999 stopped the import
        raise BadEvent("bad_number", f"{name} {text!r} is outside {TS_RANGE}; check the switch's clock")
    return seconds


def required(values: dict[str, str], name: str) -> str:
    text = values.get(name, "")
    if not text:
        raise BadEvent("missing_field", f"{name} is missing")
    return text


def _contact(member: str, kind: str, at_s: float, **body: Any) -> dict[str, Any]:
    return {"event_id": f"{member}/{kind}", "type": f"contact.{kind}", "ts": iso(at_s), "contact_id": member,
            **body}


def customer_key(caller: str) -> str:
    """The customer key a caller id number makes ('' for none: empty, anonymous, ...); the dead letters of
    the CDR import and the event-socket follower pseudonymise this value."""
    return caller.strip() if caller.strip().lower() not in _NO_CALLER else ""


def offered(member: str, queue: str, joined_s: int, caller: str) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"channel": "voice", "queue": queue, "direction": "inbound"}
    if key := customer_key(caller):
        body["customer_key"] = key
    return [_contact(member, "offered", joined_s, **body)]


def answered(member: str, agent: str, answered_s: int) -> list[dict[str, Any]]:
    return [_contact(member, "answered", answered_s, agent_id=agent)]


def ended(member: str, agent: str, terminated_s: int, wrap_up_s: int) -> list[dict[str, Any]]:
    """The end, and the wrap-up the agent's wrap_up_time setting gives it (mod_callcenter raises none)."""
    return [_contact(member, "ended", terminated_s),
            _contact(member, "wrapup_completed", terminated_s + wrap_up_s, agent_id=agent)]


def left(member: str, left_s: int, cancel_reason: str, transferred: bool) -> list[dict[str, Any]]:
    """A cancelled visit: an abandon with its reason, or a transfer out of the queue."""
    if cancel_reason == "BREAK_OUT" and transferred:
        return [_contact(member, "transferred", left_s), _contact(member, "ended", left_s)]
    if cancel_reason not in CANCEL_REASONS:
        raise BadEvent("bad_cancel_reason", f"cancel reason {cancel_reason!r} is not one of "
                                            f"{', '.join(CANCEL_REASONS)}")
    return [_contact(member, "abandoned", left_s, reason=CANCEL_REASONS[cancel_reason])]


class CallcenterMapper:
    """``CUSTOM callcenter::info`` events (and the member channel's hangup) -> contract events.

    Keeps the agents' wrap-up times and statuses (from ``callcenter_config agent
    list`` and the status events) and the member channels seen leaving by a
    transfer; nothing else, so a follower restarts with no saved state but them.
    """

    def __init__(self, wrap_up_s: dict[str, int] | None = None, statuses: dict[str, str] | None = None) -> None:
        self.wrap_up_s = dict(wrap_up_s or {})
        self.statuses = dict(statuses or {})
        self.summary = CallcenterSummary()

    def feed(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        """The events of one ESL event (headers URL-decoded); raises BadEvent (counted) when unmappable."""
        try:
            events = self._map(headers)
        except BadEvent as exc:
            self.summary.dead[exc.reason] += 1
            raise
        for item in events:
            self.summary.events[item["type"]] += 1
        return events

    def _map(self, h: dict[str, str]) -> list[dict[str, Any]]:
        if h.get("Event-Subclass") != "callcenter::info":
            self.summary.skipped[h.get("Event-Name") or "no_event_name"] += 1
            return []
        action = required(h, "CC-Action")
        if action == "agent-status-change":
            return self._status(h)
        if action == "agent-state-change":
            return self._state(h)
        if action == "member-queue-start":
            if h.get("variable_cc_side", "member") != "member":
                self.summary.skipped["agent_leg"] += 1
                return []
            member = required(h, "CC-Member-UUID")
            return offered(member, required(h, "CC-Queue"), epoch(h, "variable_cc_queue_joined_epoch"),
                           h.get("CC-Member-CID-Number", ""))
        if action == "bridge-agent-start":
            return answered(required(h, "CC-Member-UUID"), required(h, "CC-Agent"), epoch(h, "CC-Agent-Answered-Time"))
        if action == "bridge-agent-end":
            agent = required(h, "CC-Agent")
            return ended(required(h, "CC-Member-UUID"), agent, epoch(h, "CC-Bridge-Terminated-Time"),
                         self.wrap_up_s.get(agent, 0))
        if action == "member-queue-end":
            return self._member_end(h)
        if action in _QUIET_ACTIONS:
            self.summary.skipped[action] += 1
            return []
        raise BadEvent("unknown_action", f"CC-Action {action!r} is not a mod_callcenter action this follower knows")

    def _member_end(self, h: dict[str, str]) -> list[dict[str, Any]]:
        cause = required(h, "CC-Cause")
        if cause == "Terminated":  # the answered path: bridge-agent-start/end said it all
            self.summary.skipped["member-queue-end Terminated"] += 1
            return []
        if cause != "Cancel":
            raise BadEvent("bad_cause", f"CC-Cause {cause!r} is neither Cancel nor Terminated")
        return left(required(h, "CC-Member-UUID"), epoch(h, "CC-Member-Leaving-Time"),
                    required(h, "CC-Cancel-Reason"), bool(h.get("variable_transfer_history")))

    def _agent_state(self, h: dict[str, str], agent: str, state: str, reason: str = "") -> list[dict[str, Any]]:
        micros = h.get("Event-Date-Timestamp", "")
        sequence = h.get("Event-Sequence", "")
        if not micros.isdigit() or not sequence.isdigit():
            raise BadEvent("bad_number", "Event-Date-Timestamp and Event-Sequence must be whole numbers "
                                         f"(got {micros!r}, {sequence!r})")
        if not TS_MIN_S <= int(micros) // 1_000_000 < TS_END_S:
            raise BadEvent("bad_number", f"Event-Date-Timestamp {micros!r} is outside {TS_RANGE}; check the "
                                         "switch's clock")
        body: dict[str, Any] = {"agent_id": agent, "state": state, "seq": int(sequence)}
        if reason:
            body["reason"] = reason
        event_id = f"fs/{h.get('Core-UUID', 'core')}/{sequence}"
        return [{"event_id": event_id, "type": "agent.state", "ts": iso(int(micros) / 1_000_000), **body}]

    def _status(self, h: dict[str, str]) -> list[dict[str, Any]]:
        agent, status = required(h, "CC-Agent"), required(h, "CC-Agent-Status")
        if status not in STATUSES:
            raise BadEvent("bad_status", f"CC-Agent-Status {status!r} is not one of {', '.join(STATUSES)}")
        self.statuses[agent] = status
        return self._agent_state(h, agent, STATUSES[status], "On Break" if status == "On Break" else "")

    def _state(self, h: dict[str, str]) -> list[dict[str, Any]]:
        agent, state = required(h, "CC-Agent"), required(h, "CC-Agent-State")
        if state == "Idle":
            return self._agent_state(h, agent, "not_ready", "Idle")
        if state == "Waiting" and self.statuses.get(agent, "").startswith("Available"):
            return self._agent_state(h, agent, "available")
        if state in ("Waiting", "Receiving", "In a queue call", "Reserved"):
            self.summary.skipped[f"agent-state {state}"] += 1
            return []
        raise BadEvent("bad_state", f"CC-Agent-State {state!r} is not a mod_callcenter agent state")


def parse_agent_list(text: str) -> tuple[dict[str, int], dict[str, str]]:
    """``callcenter_config agent list`` output (``|``-separated, a header row, ``+OK`` last) -> (agent ->
    wrap_up_time seconds, agent -> status)."""
    rows = [line.split("|") for line in text.splitlines() if "|" in line]
    if not rows:
        return {}, {}
    head = rows[0]
    if "name" not in head or "wrap_up_time" not in head:
        raise BadEvent("bad_agent_list", "the agent list has no header row naming name and wrap_up_time")
    name_i, wrap_i = head.index("name"), head.index("wrap_up_time")
    status_i = head.index("status") if "status" in head else None
    wraps, statuses = {}, {}
    for row in rows[1:]:
        if len(row) != len(head):
            continue
        wraps[row[name_i]] = int(row[wrap_i]) if row[wrap_i].isdigit() else 0
        if status_i is not None:
            statuses[row[name_i]] = row[status_i]
    return wraps, statuses
