"""A small hand-made October 2026 (Asia/Shanghai) for the payroll store tests.

a1 (roster, team blue): inbound voice c1 (resolved) and c2 (unresolved), inbound
chat c3 (resolved), outbound voice c4; QA internal 90 (1 fatal) and 100,
external 80 (2 fatal); one valid escalated complaint and one invalid; logged in
2 h of 1 October (after local midnight) plus 8 h on 5 October = 10 h.
a2 (not in the roster): one call offered 31 October 23:30 local.
a3 (roster, team blue): nothing at all.
Outside October: a1's call offered 1 November 00:30 local, and an October QA
evaluation of a contact offered in September (both attributed elsewhere).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from tests.fixtures.events import event

UTC = timezone.utc
OCT5 = datetime(2026, 10, 5, 1, 0, tzinfo=UTC)          # 09:00 local
SEP30_EVENING = datetime(2026, 9, 30, 12, 0, tzinfo=UTC)  # 20:00 local, 30 September
SEP30_MORNING = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)   # 10:00 local, 30 September
OCT31_LATE = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)   # 23:30 local, still October
NOV1_EARLY = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)   # 00:30 local, 1 November

ROSTER_CSV = "agent_id,name,team,hire_date\na1,Li Na,blue,2025-01-01\na3,Wu Bo,blue,2026-10-10\n"


def answered_call(cid: str, t0: float, wait: float, talk: float, acw: float, agent: str, base: datetime,
                  disposition: str | None = None, channel: str = "voice", direction: str = "inbound",
                  ) -> list[dict[str, Any]]:
    """Offered, answered, ended and wrapped up, at seconds after ``base``."""
    extra = {"disposition": disposition} if disposition else {}
    return [event("contact.offered", t0, base, contact_id=cid, queue="billing", channel=channel, direction=direction),
            event("contact.answered", t0 + wait, base, contact_id=cid, agent_id=agent),
            event("contact.ended", t0 + wait + talk, base, contact_id=cid),
            event("contact.wrapup_completed", t0 + wait + talk + acw, base, contact_id=cid, agent_id=agent, **extra)]


def state(t: float, base: datetime, agent: str, name: str) -> dict[str, Any]:
    return event("agent.state", t, base, agent_id=agent, state=name)


def qa(t: float, base: datetime, contact: str, score: float, fatal: int, source: str) -> dict[str, Any]:
    return event("qa.evaluated", t, base, contact_id=contact, agent_id="a1", score=score, fatal_errors=fatal,
                 nonfatal_errors=1, opportunities=10, source=source)


def october() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    on_5th = [("c1", 0, 10, 100, 20, "resolved", {}), ("c2", 600, 20, 200, 40, "unresolved", {}),
              ("c3", 1200, 5, 300, 30, "resolved", {"channel": "chat"}),
              ("c4", 1800, 15, 60, 10, None, {"direction": "outbound"})]
    for cid, t0, wait, talk, acw, disposition, offer in on_5th:
        events += answered_call(cid, t0, wait, talk, acw, agent="a1", disposition=disposition, base=OCT5, **offer)
    events += [qa(3600, OCT5, "c1", 90, 1, "internal"), qa(3600, OCT5, "c2", 100, 0, "internal"),
               qa(3600, OCT5, "c3", 80, 2, "external"),
               event("complaint.filed", 7200, OCT5, agent_id="a1", contact_id="c1", valid=True, escalated=True),
               event("complaint.filed", 7200, OCT5, agent_id="a1", contact_id="c2", valid=False, escalated=False)]
    events += [state(0, SEP30_EVENING, "a1", "available"), state(6 * 3600, SEP30_EVENING, "a1", "logged_out"),
               state(0, OCT5, "a1", "available"), state(8 * 3600, OCT5, "a1", "logged_out")]
    events += answered_call("c5", 0, 10, 60, 10, agent="a2", base=OCT31_LATE)
    events += answered_call("c6", 0, 10, 60, 10, agent="a1", base=NOV1_EARLY)
    events += answered_call("c0", 0, 10, 60, 10, agent="a1", base=SEP30_MORNING)
    events += [qa(3 * 86400, SEP30_MORNING, "c0", 10, 9, "internal")]  # evaluated 3 October
    return events


# A policy whose amounts move with one late complaint: good (200) needs no valid complaint; no hours
# rules.  With october(): a1 has a valid complaint -> poor 0; a3 (hired the 10th) -> good 200.
SIMPLE_POLICY = """\
name: simple-test
currency: CNY
tiers:
  - name: good
    amount: 200
    internal: {max_valid_complaints: 0}
  - name: poor
    amount: 0
hours: {required: 0, minimum: 0}
"""


def late_complaint_for_a3() -> dict[str, Any]:
    """A valid complaint against a3 on 6 October, arriving after October is closed."""
    return event("complaint.filed", 86_400, OCT5, agent_id="a3", valid=True, escalated=False)
