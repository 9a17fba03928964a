"""Per-contact figures (docs/design.md section 3, first paragraph) from a contact state.

All durations are integer milliseconds so that sums over any window are exact;
seconds appear only when a report divides.  Choices the catalogue leaves open:

* ``wait_ms`` is (answered or abandoned) - offered; with neither it is None
  (the contact is still waiting).
* no duration is ever negative (docs/design.md section 2): a contact whose clocks
  contradict each other (answered or abandoned before offered, ended before
  answered, holds longer than the talk, wrap-up before the end, a first
  agent message before the offer, a hold that ends before it starts: two
  source systems with skewed clocks) still counts, each negative duration is
  taken as 0, and the contact is flagged ``time_conflict`` so reports count
  and list it instead of showing a negative ASA.
* holds are paired in time order; a hold still open when the contact ended is
  closed at ``ended``; a hold still open with no end yet counts nothing; a
  ``hold_ended`` with no open hold is ignored, unless a hold start is left
  open after it: then that end is the start's own, stamped earlier by a
  skewed clock, and the hold counts 0 with a time conflict.
* ``talk_ms`` needs answered and ended; ``acw_ms`` is wrap-up - ended, 0 when
  the contact ended without a wrap-up (yet); ``handle_ms`` = talk + hold + acw.
* ``wrapup_complete`` (the AHT population) needs answered, ended and a
  ``wrapup_completed`` event.
* ``first_response_ms`` only for chat: first agent message - offered.
* the contact's agent is the agent who answered it.
"""

from __future__ import annotations

from itertools import groupby

from msgspec import Struct

from pipeline.core.contact import ContactState


class ContactFact(Struct, frozen=True):
    contact_id: str
    has_offered: bool
    offered_ms: int
    queue: str
    channel: str
    direction: str
    customer_key: str
    agent_id: str
    is_answered: bool
    is_abandoned: bool
    answered_ms: int | None
    abandoned_ms: int | None
    ended_ms: int | None
    wrapup_ms: int | None
    wait_ms: int | None
    hold_ms: int
    talk_ms: int | None
    acw_ms: int | None
    handle_ms: int | None
    wrapup_complete: bool
    disposition: str
    transferred: bool
    first_response_ms: int | None
    csat: int | None
    nps: int | None
    time_conflict: bool = False
    abandon_reason: str = ""  # customer, timeout, empty, key; "" unless abandoned


def hold_periods(state: ContactState) -> tuple[int, bool]:
    """Sum of hold periods, pairing starts and ends in time order, and whether a hold ended before it started.

    Events of one millisecond are paired as the hold then open says (a choice, DESIGN.md section 3 is silent):
    with a hold open, its end comes first, so two holds back to back (one ending as the next starts) are both
    counted; with none open, the start comes first, so a hold started and ended in one millisecond is 0 ms, not
    a stray end followed by a hold left open."""
    total = 0
    open_since: int | None = None
    stray_ends = 0
    ordered = sorted(state.holds.items(), key=lambda item: (item[1].ts_ms, item[0]))
    for _, same_ms in groupby(ordered, key=lambda item: item[1].ts_ms):
        holds = [hold for _, hold in same_ms]
        ends_first = open_since is not None
        for hold in sorted(holds, key=lambda h: h.is_start == ends_first):  # stable: event ids stay in order
            if hold.is_start and open_since is None:
                open_since = hold.ts_ms
            elif not hold.is_start and open_since is not None:
                total += hold.ts_ms - open_since
                open_since = None
            elif not hold.is_start:
                stray_ends += 1
    if open_since is not None and stray_ends:
        return total, True  # the open hold's end came first: 0 for it, flagged
    if open_since is not None and state.ended is not None and state.ended.ts_ms > open_since:
        total += state.ended.ts_ms - open_since
    return total, False


def hold_ms(state: ContactState) -> int:
    """Sum of hold periods (see ``hold_periods``)."""
    return hold_periods(state)[0]


def _not_negative(value: int, conflicts: list[bool]) -> int:
    """``value``, or 0 (noted in ``conflicts``) when clocks made it negative."""
    if value < 0:
        conflicts.append(True)
        return 0
    return value


def derive(state: ContactState) -> ContactFact:
    """The contact's figures; a contact without ``offered`` yet has has_offered False."""
    offer = state.offered
    answered = state.answered
    abandoned = None if answered is not None else state.abandoned
    ended_ms = state.ended.ts_ms if state.ended is not None else None
    wrapup_ms = state.wrapup.ts_ms if state.wrapup is not None else None
    offered_ms = offer.ts_ms if offer is not None else 0

    conflicts: list[bool] = []
    wait_ms: int | None = None
    if offer is not None:
        if answered is not None:
            wait_ms = _not_negative(answered.ts_ms - offered_ms, conflicts)
        elif abandoned is not None:
            wait_ms = _not_negative(abandoned.ts_ms - offered_ms, conflicts)

    held, hold_conflict = hold_periods(state)
    if hold_conflict:
        conflicts.append(True)
    talk_ms = acw_ms = handle_ms = None
    if answered is not None and ended_ms is not None:
        connected = _not_negative(ended_ms - answered.ts_ms, conflicts)
        if held > connected:  # holds longer than the whole conversation: the hold clock disagrees
            conflicts.append(True)
            held = connected
        talk_ms = connected - held
        acw_ms = _not_negative(wrapup_ms - ended_ms, conflicts) if wrapup_ms is not None else 0
        handle_ms = talk_ms + held + acw_ms

    first_response_ms = None
    if offer is not None and offer.channel == "chat" and state.first_agent_message is not None:
        first_response_ms = _not_negative(state.first_agent_message.ts_ms - offered_ms, conflicts)

    return ContactFact(
        contact_id=state.contact_id,
        has_offered=offer is not None,
        offered_ms=offered_ms,
        queue=offer.queue if offer else "",
        channel=offer.channel if offer else "",
        direction=offer.direction if offer else "",
        customer_key=offer.customer_key if offer else "",
        agent_id=answered.agent_id if answered else "",
        is_answered=answered is not None,
        is_abandoned=abandoned is not None,
        answered_ms=answered.ts_ms if answered else None,
        abandoned_ms=abandoned.ts_ms if abandoned else None,
        ended_ms=ended_ms,
        wrapup_ms=wrapup_ms,
        wait_ms=wait_ms,
        hold_ms=held,
        talk_ms=talk_ms,
        acw_ms=acw_ms,
        handle_ms=handle_ms,
        wrapup_complete=answered is not None and ended_ms is not None and wrapup_ms is not None,
        disposition=state.wrapup.disposition if state.wrapup else "",
        transferred=state.transferred is not None,
        first_response_ms=first_response_ms,
        csat=state.csat.score if state.csat else None,
        nps=state.nps.score if state.nps else None,
        time_conflict=bool(conflicts),
        abandon_reason=abandoned.reason if abandoned else "",
    )
