"""``cckpi follow freeswitch-esl``: mod_callcenter's events over the event socket into Kafka, never blocking.

FreeSWITCH drops events for a socket reader that falls behind ("Cannot queue
any more events"), so reading never waits on Kafka.  Two halves:

* the reader (a thread): connects and authenticates, subscribes to
  ``CUSTOM callcenter::info`` and, in its own command (every word after
  CUSTOM would be taken as a subclass), ``CHANNEL_HANGUP_COMPLETE``; reads the
  agents' wrap-up times (``callcenter_config agent list``) and the members
  still in the queues (``callcenter_config queue list members``: offered, or
  answered, events for what happened while it was away); then maps every event
  (``freeswitch_callcenter``) and appends the events and dead letters to a
  local spool file, fsync'd after each read.  A lost connection is retried,
  backing off 1-30 s.
* the publisher (the calling thread): the queue_log follower's own loop over
  the spool as a growing file: publish, wait for Kafka's acknowledgement
  (sending again through an outage), then checkpoint the spool position.

Event ids come from the events (member uuid and kind; core uuid and event
sequence), so what a reconnect or a restart sees again is a duplicate the
worker drops.  A SIGKILL loses what was read from the socket but not yet
spooled (at most one read), and what the switch sent while nothing listened:
the member list reconciles the calls still queued or talking; for the rest
import the day's CDRs (``cckpi import freeswitch-cdr``: the same event ids).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from pipeline.core.intake import DeadLetter
from pipeline.core.pseudonym import pseudonymise_key_in
from pipeline.importers.esl import EslConnection, EslError, EslRefused, Headers
from pipeline.importers.follow_queue_log import FollowCounts, Publisher
from pipeline.importers.freeswitch_callcenter import (BadEvent, CallcenterMapper, answered, customer_key, epoch,
                                                       offered, parse_agent_list)
from pipeline.ingest import dead_letter
from pipeline.outage import Outage

log = logging.getLogger("cckpi.follow")
RETRY_MAX_S = 30.0
SUBSCRIPTIONS = ("event plain CUSTOM callcenter::info", "event plain CHANNEL_HANGUP_COMPLETE")


class Spool:
    """Append-only lines ``E <event JSON>`` / ``D <dead-letter JSON>``; whole lines only, fsync'd on ``sync``."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with path.open("ab") as handle:  # a line cut short by a crash is dropped: nothing after it was acknowledged
            size = handle.tell()
        if size:
            with path.open("r+b") as handle:
                data = handle.read()
                handle.truncate(data.rfind(b"\n") + 1)
        self.handle = path.open("ab")

    def event(self, event: dict[str, Any]) -> None:
        self.handle.write(b"E " + orjson.dumps(event) + b"\n")

    def dead(self, letter: DeadLetter) -> None:
        self.handle.write(b"D " + dead_letter.record(letter) + b"\n")

    def sync(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        self.handle.close()


class SpoolLines:
    """The publisher's view of the spool: each line is a message ready to send."""

    def open_calls(self) -> list[list[Any]]:
        return []

    def publish(self, raw: bytes, number: int, publisher: Publisher, counts: FollowCounts) -> None:
        kind, _, body = raw.rstrip(b"\n").partition(b" ")
        counts.lines += 1
        if kind == b"D":
            publisher.send(body, None, dead=True)
            counts.dead_by_reason[orjson.loads(body).get("reason", "unknown")] += 1
            return
        event = orjson.loads(body)
        key = event.get("contact_id") or event.get("agent_id")
        publisher.send(body, key.encode() if key else None)
        counts.events += 1


def reconcile(members_output: str) -> list[dict[str, Any]]:
    """``callcenter_config queue list members``: offered events for members Waiting or Trying, offered and
    answered for Answered ones (ids as the live events', so what was seen already is a duplicate)."""
    rows = [line.split("|") for line in members_output.splitlines() if "|" in line]
    if not rows:
        return []
    head = rows[0]
    events: list[dict[str, Any]] = []
    for row in rows[1:]:
        if len(row) != len(head):
            continue
        member = dict(zip(head, row))
        if member.get("state") not in ("Waiting", "Trying", "Answered") or not member.get("uuid"):
            continue
        events += offered(member["uuid"], member["queue"], epoch(member, "joined_epoch"), member.get("cid_number", ""))
        if member["state"] == "Answered" and member.get("serving_agent") and member.get("bridge_epoch", "0") != "0":
            events += answered(member["uuid"], member["serving_agent"], epoch(member, "bridge_epoch"))
    return events


class SwitchReader:
    """The reader half: event socket -> mapper -> spool, reconnecting until ``stop()``."""

    def __init__(self, host: str, port: int, password: str, spool: Spool, stop: Callable[[], bool],
                 outage: Outage | None = None, *, pseudonymise: Callable[[str], str]) -> None:
        self.host, self.port, self.password, self.spool, self.stop = host, port, password, spool, stop
        self.pseudonymise = pseudonymise  # a dead letter's caller number (CC-Member-CID-Number, wherever repeated)
        self.mapper = CallcenterMapper()
        self.outage = outage or Outage(f"FreeSWITCH event socket ({host}:{port})")
        self.connections = 0
        self.refused: str | None = None  # the switch refused the password: the follower stops with this

    def _pause(self, seconds: float) -> None:
        """The back-off before reconnecting, cut short by ``stop()``."""
        deadline = time.monotonic() + seconds
        while not self.stop() and time.monotonic() < deadline:
            time.sleep(0.1)

    def run(self) -> None:
        delay = 1.0
        while not self.stop():
            try:
                with EslConnection.open(self.host, self.port, self.password) as esl:
                    self._start(esl)
                    self.outage.ok()
                    delay = 1.0
                    while not self.stop():
                        self._take(esl.read_events(0.5))
            except EslRefused as exc:
                self.refused = str(exc)
                return
            except (OSError, EslError) as exc:
                self.outage.failed(exc)
                self._pause(delay)
                delay = min(delay * 2, RETRY_MAX_S)

    def _start(self, esl: EslConnection) -> None:
        for subscription in SUBSCRIPTIONS:
            reply = esl.command(subscription)
            if not reply.startswith("+OK"):
                raise EslError(f"{subscription}: {reply}")
        try:
            wraps, statuses = parse_agent_list(esl.api("callcenter_config agent list"))
            self.mapper.wrap_up_s.update(wraps)
            self.mapper.statuses.update(statuses)
            for event in reconcile(esl.api("callcenter_config queue list members")):
                self.spool.event(event)
        except BadEvent as exc:
            raise EslError(f"callcenter_config: {exc.detail}") from None
        self.connections += 1
        self.spool.sync()

    def _take(self, events: list[Headers]) -> None:
        for headers in events:
            try:
                mapped = self.mapper.feed(headers)
            except BadEvent as exc:
                where = f"{self.host}:{self.port} Event-Sequence {headers.get('Event-Sequence', '?')}"
                raw = pseudonymise_key_in(orjson.dumps(headers), customer_key(headers.get("CC-Member-CID-Number", "")),
                                          self.pseudonymise)
                self.spool.dead(DeadLetter(exc.reason, f"{headers.get('CC-Action', '')}: {exc.detail}", raw, where))
                continue
            for event in mapped:
                self.spool.event(event)
        if events:
            self.spool.sync()
