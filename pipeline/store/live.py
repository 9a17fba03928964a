"""What is happening now: per queue the day so far and the trailing window in one read, and each agent's state.

"Now" is a parameter, not the wall clock, so the demo can replay a simulated
day on its own clock and a test can ask about a fixed instant.  Only the
facts offered since the start of the centre's day count as waiting: a
contact whose abandon never reached us would otherwise wait forever.

The queue figures are the report's own components (``components_sql``: the
same per-contact flags, the same aggregates made conditional on the range),
read in one pass over the contacts offered since the earlier of the day's
start and the window's, instead of two whole reports: the wallboard needs
neither the repeat-contact join of FCR nor the QA and complaint tables, and
it asks every few seconds.  A test holds them equal to ``build_report``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.settings import Settings
from pipeline.store.components_sql import AGGREGATES, INDEXED_SPAN_MS, offered_between, per_contact_columns
from pipeline.store.store import Store

# the components the wallboard shows (service level, abandon rate, ASA, AHT, counts)
BOARD_COMPONENTS = ("offered", "answered", "abandoned", "short_abandoned", "answered_within_sl",
                    "abandoned_within_sl", "waiting", "sl_numerator", "sl_denominator", "wait_answered_sum_ms",
                    "aht_contacts", "handle_sum_ms")

AGENT_LOOKBACK_MS = 86_400_000  # an agent with no state change for a day is not on the board


@dataclass(frozen=True)
class AgentNow:
    agent_id: str
    state: str
    reason: str
    since_ms: int


@dataclass(frozen=True)
class QueueNow:
    queue: str
    today: dict[str, int]  # BOARD_COMPONENTS over contacts offered in [day_ms, end_ms)
    window: dict[str, int]  # ... and in [window_ms, end_ms)
    oldest_waiting_ms: int | None  # offered time of the longest-waiting contact today


def _conditional(aggregate: str, condition: str) -> str:
    """``count()`` -> ``countIf(c)``, ``sum(x)`` -> ``sumIf(x, c)``: the report's aggregate over part of the rows."""
    if aggregate == "count()":
        return f"countIf({condition})"
    assert aggregate.startswith("sum(") and aggregate.endswith(")"), aggregate
    return f"sumIf({aggregate[4:-1]}, {condition})"


def queues_now(store: Store, settings: Settings, day_ms: int, window_ms: int, end_ms: int) -> dict[str, QueueNow]:
    """Per queue: the components of the day so far and of the trailing window, and the oldest waiting contact."""
    db = store.db
    since = min(day_ms, window_ms)
    narrowing = f"{offered_between(db, [(since, end_ms)])} AND " if end_ms - since <= INDEXED_SPAN_MS else ""
    inner = ", ".join(
        ["queue", "is_answered", "is_abandoned", "wrapup_complete", "handle_ms", "disposition", "channel",
         "first_response_ms", "offered_ms"]
        + [c for c in per_contact_columns(settings) if "customer_offers" not in c])  # no FCR: no repeat join
    today, window = f"offered_ms >= {day_ms}", f"offered_ms >= {window_ms}"
    outer = ", ".join(
        [f"{_conditional(AGGREGATES[n], today)} AS d_{n}" for n in BOARD_COMPONENTS]
        + [f"{_conditional(AGGREGATES[n], window)} AS w_{n}" for n in BOARD_COMPONENTS]
        + [f"minIf(offered_ms, {today} AND NOT is_answered AND NOT is_abandoned) AS oldest"])
    result = store.engine.query(
        f"SELECT queue, {outer} FROM (SELECT {inner} FROM {db}.contact_facts FINAL WHERE {narrowing}has_offered "
        f"AND direction = 'inbound' AND offered_ms >= {since} AND offered_ms < {end_ms}) GROUP BY queue"
    )
    found = {}
    for i, queue in enumerate(result["queue"]):
        today_c = {n: int(result[f"d_{n}"][i]) for n in BOARD_COMPONENTS}
        found[queue] = QueueNow(queue, today_c, {n: int(result[f"w_{n}"][i]) for n in BOARD_COMPONENTS},
                                int(result["oldest"][i]) if today_c["waiting"] else None)
    return found


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
