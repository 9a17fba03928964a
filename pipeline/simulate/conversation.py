"""What happens once an agent takes a contact: talk, holds, chat messages,
transfer, wrap-up, and the feedback that follows (surveys, QA, complaints).

All of it is decided at pick-up from the service random stream and queued in
the outbox with its future timestamps; the engine only needs back the moment
the agent is free again and the disposition (which drives repeat contacts).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from pipeline.simulate.config import Behaviour
from pipeline.simulate.pending_events import Outbox

S = 1000  # ms per second
_CSAT = {  # disposition -> weights of scores 1..5
    "resolved": (2, 3, 8, 32, 55),
    "unresolved": (14, 16, 28, 27, 15),
    "escalated": (10, 14, 26, 30, 20),
}
_NPS = {  # disposition -> weights of scores 0..10
    "resolved": (1, 1, 1, 1, 1, 2, 3, 7, 15, 25, 43),
    "unresolved": (6, 5, 6, 7, 8, 10, 12, 14, 13, 10, 9),
    "escalated": (4, 4, 5, 6, 7, 9, 12, 15, 15, 12, 11),
}


@dataclass(slots=True)
class Contact:
    """A contact as the simulator tracks it (0 waiting, 1 with an agent, 2 abandoned)."""

    contact_id: str
    queue: str
    channel: str
    arrive_ms: int
    patience_ms: int
    customer_key: str | None
    outbound: bool = False
    status: int = 0


def lognormal_ms(rng: random.Random, mean_s: float, sigma: float) -> int:
    """A lognormal duration with the given mean (not median), in whole ms."""
    mu = math.log(mean_s) - sigma * sigma / 2
    return max(S, int(rng.lognormvariate(mu, sigma) * S))


def offered_body(c: Contact) -> dict[str, object]:
    body: dict[str, object] = {"contact_id": c.contact_id, "channel": c.channel, "queue": c.queue,
                               "direction": "outbound" if c.outbound else "inbound"}
    if c.customer_key is not None:
        body["customer_key"] = c.customer_key
    return body


def serve(out: Outbox, rng: random.Random, b: Behaviour, c: Contact, agent_id: str, now: int,
          transfer_targets: tuple[str, ...]) -> tuple[int, str]:
    """Queue the contact's events from pick-up at ``now``; return (agent free at, disposition)."""
    cid = {"contact_id": c.contact_id}
    answered = now
    if c.outbound:  # the agent dials; the customer picks up after some rings
        out.add(now, "contact.offered", offered_body(c))
        answered = now + rng.randint(4 * S, 25 * S)
    out.agent_state(now, agent_id, "on_contact")
    out.add(answered, "contact.answered", {"contact_id": c.contact_id, "agent_id": agent_id})
    if c.channel == "chat":
        end = _chat(out, rng, b, cid, answered)
        acw_mean = b.chat_acw_mean_s
    else:
        end = _talk(out, rng, b, cid, answered)
        acw_mean = b.voice_acw_mean_s
    if transfer_targets and rng.random() < b.transfer_share:
        out.add(end, "contact.transferred", {**cid, "to_queue": rng.choice(transfer_targets)})
    out.add(end, "contact.ended", cid)
    out.agent_state(end, agent_id, "after_contact_work")
    free = end + lognormal_ms(rng, acw_mean, 0.5)
    u = rng.random()
    disposition = ("resolved" if u < b.disposition_resolved
                   else "escalated" if u < b.disposition_resolved + b.disposition_escalated else "unresolved")
    out.add(free, "contact.wrapup_completed", {**cid, "agent_id": agent_id, "disposition": disposition})
    _feedback(out, rng, b, c, agent_id, free, disposition, slow=answered - c.arrive_ms > 60 * S)
    return free, disposition


def _talk(out: Outbox, rng: random.Random, b: Behaviour, cid: dict[str, object], answered: int) -> int:
    """Voice talk with up to two holds placed inside it; returns the end of the call."""
    talk = lognormal_ms(rng, b.voice_talk_mean_s, b.talk_sigma)
    if rng.random() >= b.hold_share:
        return answered + talk
    points = sorted(rng.random() for _ in range(1 if rng.random() < 0.7 else 2))
    held = 0
    for point in points:
        start = answered + int(talk * point) + held
        length = lognormal_ms(rng, b.hold_mean_s, 0.7)
        out.add(start, "contact.hold_started", cid)
        out.add(start + length, "contact.hold_ended", cid)
        held += length
    return answered + talk + held


def _chat(out: Outbox, rng: random.Random, b: Behaviour, cid: dict[str, object], answered: int) -> int:
    """Agent's first reply a few seconds after accepting, then a to-and-fro until the end."""
    first = answered + lognormal_ms(rng, 7.0, 0.8)
    out.add(first, "contact.message", {**cid, "sender": "agent"})
    end = first + lognormal_ms(rng, b.chat_talk_mean_s, b.talk_sigma)
    replies = rng.randint(2, 9)
    step = (end - first) // (replies + 1)
    for i in range(1, replies + 1):
        out.add(first + i * step, "contact.message", {**cid, "sender": "customer" if i % 2 else "agent"})
    return end


def _feedback(out: Outbox, rng: random.Random, b: Behaviour, c: Contact, agent_id: str, done: int,
              disposition: str, slow: bool) -> None:
    """Surveys (some hours late), a QA sample and the odd complaint after wrap-up."""
    if not c.outbound:
        mood = "unresolved" if slow and disposition == "resolved" and rng.random() < 0.4 else disposition
        if rng.random() < b.csat_share:
            score = rng.choices(range(1, 6), weights=_CSAT[mood])[0]
            out.add(done + _survey_delay(rng, b), "survey.csat", {"contact_id": c.contact_id, "score": score})
        if rng.random() < b.nps_share:
            score = rng.choices(range(11), weights=_NPS[mood])[0]
            out.add(done + _survey_delay(rng, b), "survey.nps", {"contact_id": c.contact_id, "score": score})
    if rng.random() < b.qa_share:
        fatal = 1 if rng.random() < 0.02 else 0
        nonfatal = rng.choices((0, 1, 2, 3), weights=(60, 25, 10, 5))[0]
        score = max(0.0, min(100.0, rng.gauss(93.0, 4.0) - 3 * nonfatal))
        out.add(done + rng.randint(3600 * S, 26 * 3600 * S), "qa.evaluated", {
            "contact_id": c.contact_id, "agent_id": agent_id, "score": round(0.0 if fatal else score, 1),
            "fatal_errors": fatal, "nonfatal_errors": nonfatal, "opportunities": 20,
            "source": "external" if rng.random() < 0.2 else "internal"})
    share = b.complaint_share * (3 if disposition != "resolved" else 1)
    if rng.random() < share:
        out.add(done + rng.randint(600 * S, 24 * 3600 * S), "complaint.filed", {
            "agent_id": agent_id, "contact_id": c.contact_id,
            "valid": rng.random() < 0.5, "escalated": rng.random() < 0.25})


def _survey_delay(rng: random.Random, b: Behaviour) -> int:
    if rng.random() < b.late_survey_share:
        return rng.randint(3600 * S, 10 * 3600 * S)
    return rng.randint(20 * S, 15 * 60 * S)
