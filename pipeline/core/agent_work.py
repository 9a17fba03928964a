"""An agent's timeline: its own state changes with the contacts it handles laid over them.

Sources do not all write a state for an agent on a contact.  Asterisk's
queue_log has none (an agent stays ``available`` from ADDMEMBER through its
calls), FreeSWITCH's mod_callcenter raises nothing for wrap-up, Amazon
Connect's contact records carry no agent states at all.  The contacts say it
for every source alike, so the timeline is derived, not trusted:

* while a contact the agent answered is not ended, the agent is
  ``on_contact`` (from ``answered`` to ``ended``);
* after it ended, ``after_contact_work`` until its wrap-up completed; a
  contact that ended without a wrap-up (yet) keeps the agent in wrap-up until
  the agent's own next state change at or after the end (the agent said what
  it does next), or for ever while there is none;
* on a contact beats wrap-up (concurrent chats); otherwise the state the
  agent set last, ordered by (time, source sequence, event id), so a PAUSE
  written in the same second as the ADDMEMBER before it wins.  Before the
  agent's first own change the state is unknown (``""``): it counts no time
  and the grid does not show the agent.

Pure: the store reads the inputs (``store.agent_reads``), the live grid and
agent time (occupancy, logged-in time) use the one result.  ``timeline`` is the
reference, written as the rules read; ``lay`` gives the same changes from
arrays of the contacts' times, and is what the store's reads use (a day of a
large centre is over a million contacts; ``tests/core/test_agent_work_lay.py``
compares the two).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

ON_CONTACT = "on_contact"
AFTER_CONTACT_WORK = "after_contact_work"
UNKNOWN = ""


class Change(NamedTuple):
    """One state change; the tuple order is the order of changes."""

    ts_ms: int
    seq: int
    event_id: str
    state: str
    reason: str = ""


class Work(NamedTuple):
    """One contact an agent answered: ended and wrap-up None while not (yet) known."""

    answered_ms: int
    ended_ms: int | None
    wrapup_ms: int | None


_new = tuple.__new__  # a NamedTuple made without its Python-level __new__: a third of laying a month's calls


def _deltas(base: Sequence[Change], works: Iterable[Work]) -> dict[int, list[int]]:
    """time -> [change in contacts being talked on, change in contacts in wrap-up] (a sweep's steps)."""
    times = [c.ts_ms for c in base]
    deltas: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for answered, ended, wrapup in works:
        deltas[answered][0] += 1
        if ended is None:
            continue
        talk_end = max(ended, answered)  # clocks that disagree: never a negative span
        deltas[talk_end][0] -= 1
        deltas[talk_end][1] += 1
        if wrapup is not None:
            work_end: int | None = max(wrapup, talk_end)
        else:  # no wrap-up event: until the agent's own next change at or after the end
            index = bisect.bisect_left(times, talk_end)
            work_end = times[index] if index < len(times) else None
        if work_end is not None:
            deltas[work_end][1] -= 1
    return deltas


def timeline(changes: Iterable[Change], works: Iterable[Work]) -> list[Change]:
    """The agent's changes with its contacts' work laid over them, in order; repeats of a state dropped.

    A derived change carries seq 0 and no event id; an own change keeps its own.
    One sweep over the moments anything changes, so a month of an agent's calls stays cheap.
    """
    base = sorted(changes)
    deltas = _deltas(base, works)
    result: list[Change] = []
    last: tuple[str, str] | None = None  # (state, reason) of result[-1]
    talking = wrapping = 0
    index = -1
    count = len(base)
    for t in sorted({c.ts_ms for c in base} | set(deltas)):
        step = deltas.get(t)
        if step is not None:
            talking, wrapping = talking + step[0], wrapping + step[1]
        while index + 1 < count and base[index + 1].ts_ms <= t:
            index += 1
        if talking > 0:
            key = (ON_CONTACT, "")
        elif wrapping > 0:
            key = (AFTER_CONTACT_WORK, "")
        elif index >= 0:
            key = (base[index].state, base[index].reason)
        else:
            key = (UNKNOWN, "")
        if key == last:  # a repeat of the state: dropped before a Change is made (a month of calls makes many)
            continue
        last = key
        if talking > 0 or wrapping > 0 or index < 0:
            result.append(_new(Change, (t, 0, "", key[0], "")))
        else:
            own = base[index]
            result.append(own if own.ts_ms == t else _new(Change, (t, own.seq, own.event_id, own.state, own.reason)))
    return result


NOT_KNOWN = np.iinfo(np.int64).min  # ``Works``' ended or wrap-up time of a contact whose end is not known (None)
Works = tuple[np.ndarray, np.ndarray, np.ndarray]  # an agent's contacts: answered, ended, wrap-up times (int64)


def lay(changes: Iterable[Change], works: Works) -> list[Change]:
    """``timeline`` of an agent whose contacts come as ``Works`` arrays (``NOT_KNOWN`` for None).

    The same sweep in whole-array steps: the moments anything changes, the
    contacts talked on and in wrap-up at each (counts of starts and ends,
    summed), the agent's own change in force at each, then a Change only where
    the state differs from the one before.  Laying a day at 50M contacts a
    month took 3.9 s through ``timeline``."""
    answered, ended, wrapup = works
    base = sorted(changes)
    times = np.fromiter((c.ts_ms for c in base), np.int64, len(base))
    closed = ended != NOT_KNOWN
    talk_end = np.maximum(ended[closed], answered[closed])  # clocks that disagree: never a negative span
    done = wrapup[closed]
    no_wrapup = done == NOT_KNOWN
    work_end = np.maximum(done, talk_end)
    if no_wrapup.any():  # until the agent's own next change at or after the end, or for ever
        after = np.searchsorted(times, talk_end[no_wrapup], "left")
        work_end[no_wrapup] = np.append(times, NOT_KNOWN)[after]
    work_end = work_end[work_end != NOT_KNOWN]
    moments = np.unique(np.concatenate((times, answered, talk_end, work_end)))
    size = len(moments)

    def starts(at: np.ndarray) -> np.ndarray:
        return np.bincount(np.searchsorted(moments, at), minlength=size)

    talking = np.cumsum(starts(answered) - starts(talk_end))
    wrapping = np.cumsum(starts(talk_end) - starts(work_end))
    own = np.searchsorted(times, moments, "right") - 1  # the agent's change in force: -1 before its first
    keys: dict[tuple[str, str], int] = {(ON_CONTACT, ""): 0, (AFTER_CONTACT_WORK, ""): 1, (UNKNOWN, ""): 2}
    own_key = np.array([keys.setdefault((c.state, c.reason), len(keys)) for c in base] + [2], np.int64)
    key = np.where(talking > 0, 0, np.where(wrapping > 0, 1, own_key[own]))  # own[-1] reads the 2 at the end
    kept = np.flatnonzero(np.diff(key, prepend=-1))  # a repeat of the state dropped
    derived = ((talking > 0) | (wrapping > 0) | (own < 0))[kept]
    names = {number: pair for pair, number in keys.items()}
    result: list[Change] = []
    for t, k, i, made in zip(moments[kept].tolist(), key[kept].tolist(), own[kept].tolist(), derived.tolist()):
        if made:  # on a contact, in wrap-up, or not known yet
            result.append(_new(Change, (t, 0, "", names[k][0], "")))
        else:
            change = base[i]
            result.append(change if change.ts_ms == t else _new(Change, (t, *change[1:])))
    return result


def state_now(changes: Iterable[Change], works: Works, now_ms: int) -> Change | None:
    """The state at ``now_ms`` (its ``ts_ms`` is since when); None if unknown.

    The agent's own changes after ``now_ms`` and contacts answered after it are
    left out; an end or wrap-up already stored for a later time is used (a
    FreeSWITCH wrap-up is known from the agent's setting the moment the call ends).
    """
    known = [c for c in changes if c.ts_ms <= now_ms]
    answered = works[0] <= now_ms
    line = lay(known, (works[0][answered], works[1][answered], works[2][answered]))
    while line and line[-1].ts_ms > now_ms:
        line.pop()
    if not line or line[-1].state == UNKNOWN:
        return None
    return line[-1]
