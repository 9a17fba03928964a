"""Agent time from ``agent.state`` changes: logged in, available, handling.

A state lasts from its change to the agent's next change.  The last known
state of an agent is still open and counts nothing until the next change
arrives (so a replay never depends on the wall clock).  Time is clipped to the
report range and split at interval boundaries.  Handling time for occupancy is
time in ``on_contact`` plus ``after_contact_work`` (the state-based definition
ACDs use, which stays right for concurrent chats); logged in is every state
but ``logged_out`` (and the unknown state before an agent's first change).
The changes are an agent's timeline (``agent_work.timeline``): its own changes
with its contacts' on-contact and wrap-up time laid over them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from pipeline.core.agent_work import UNKNOWN, Change

HANDLING = frozenset({"on_contact", "after_contact_work"})


def state_time(
    changes: Sequence[Change],
    start_ms: int,
    end_ms: int,
    boundaries: Sequence[int] = (),
) -> dict[int, dict[str, int]]:
    """Milliseconds per bucket for one agent.

    ``changes`` (in any order) should include the last change
    before ``start_ms`` (the state running when the range begins) and the first
    change at or after ``end_ms`` (where the state running at its end stops: a
    shift crossing the end counts up to ``end_ms``); ``boundaries`` are the sorted bucket starts (none: one
    bucket keyed by ``start_ms``).
    """
    sums: dict[int, list[int]] = {}  # bucket -> [handle, available, logged in]
    ordered = sorted(changes)
    cuts = list(boundaries) or [start_ms]
    last_cut = len(cuts) - 1
    for change, following in zip(ordered, ordered[1:]):
        state = change.state
        if state == "logged_out" or state == UNKNOWN:
            continue
        begin = change.ts_ms if change.ts_ms > start_ms else start_ms
        finish = following.ts_ms if following.ts_ms < end_ms else end_ms
        if finish <= begin:
            continue
        kind = 0 if state in HANDLING else (1 if state == "available" else 2)
        index = max(bisect.bisect_right(cuts, begin) - 1, 0)
        while begin < finish:
            bucket_end = cuts[index + 1] if index < last_cut else end_ms
            piece_end = finish if finish < bucket_end else bucket_end
            totals = sums.get(cuts[index])
            if totals is None:
                totals = sums[cuts[index]] = [0, 0, 0]
            length = piece_end - begin
            totals[2] += length
            if kind < 2:
                totals[kind] += length
            begin = piece_end
            index += 1
    return {bucket: {"handle_state_ms": h, "available_ms": a, "logged_in_ms": t} for bucket, (h, a, t) in sums.items()}
