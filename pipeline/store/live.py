"""What is happening now: contacts still waiting per queue, and each agent's current state.

"Now" is a parameter, not the wall clock, so the demo can replay a simulated
day on its own clock and a test can ask about a fixed instant.  Only the
facts offered since ``since_ms`` count as waiting (the wallboard passes the
start of the centre's day): a contact whose abandon never reached us would
otherwise wait forever.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.store.components_sql import INDEXED_SPAN_MS, offered_between
from pipeline.store.store import Store

AGENT_LOOKBACK_MS = 86_400_000  # an agent with no state change for a day is not on the board


@dataclass(frozen=True)
class QueueWaiting:
    queue: str
    waiting: int
    oldest_offered_ms: int


@dataclass(frozen=True)
class AgentNow:
    agent_id: str
    state: str
    reason: str
    since_ms: int


def waiting(store: Store, since_ms: int, now_ms: int) -> dict[str, QueueWaiting]:
    """Inbound contacts offered in [since_ms, now_ms] and neither answered nor abandoned, per queue."""
    db = store.db
    narrowing = (f"{offered_between(db, [(since_ms, now_ms + 1)])} AND "
                 if now_ms + 1 - since_ms <= INDEXED_SPAN_MS else "")
    result = store.engine.query(
        f"SELECT queue, count() AS waiting, min(offered_ms) AS oldest FROM {db}.contact_facts FINAL "
        f"WHERE {narrowing}has_offered AND direction = 'inbound' AND NOT is_answered AND NOT is_abandoned "
        f"AND offered_ms >= {since_ms} AND offered_ms <= {now_ms} GROUP BY queue"
    )
    return {q: QueueWaiting(q, int(n), int(oldest))
            for q, n, oldest in zip(result["queue"], result["waiting"], result["oldest"])}


def agent_states(store: Store, now_ms: int) -> list[AgentNow]:
    """Each agent's latest state at ``now_ms`` (logged-out agents left out), by agent id."""
    result = store.engine.query(
        f"SELECT agent_id, argMax(state, ts_ms) AS state, argMax(reason, ts_ms) AS reason, max(ts_ms) AS since "
        f"FROM {store.db}.agent_states FINAL WHERE ts_ms <= {now_ms} AND ts_ms > {now_ms - AGENT_LOOKBACK_MS} "
        f"GROUP BY agent_id ORDER BY agent_id"
    )
    return [AgentNow(a, s, r, int(t))
            for a, s, r, t in zip(result["agent_id"], result["state"], result["reason"], result["since"])
            if s != "logged_out"]
