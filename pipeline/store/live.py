"""What is happening now: per queue the day so far and the trailing window in one read, and each agent's state.

"Now" is a parameter, not the wall clock, so the demo can replay a simulated
day on its own clock and a test can ask about a fixed instant.  Only the
facts offered since the start of the centre's day count as waiting: a
contact whose abandon never reached us would otherwise wait forever.

The queue figures are the report's own components: the day's closed
15-minute intervals from ``queue_intervals`` (rebuilt by every writer with
the report's SQL), the last half hour or so from the facts with the same
per-contact flags and aggregates (``components_sql``) made conditional on
the range.  Not two whole reports: the wallboard needs neither the
repeat-contact join of FCR nor the QA and complaint tables, and it asks every
few seconds.  A test holds the figures equal to ``build_report``; a writer
that skipped the ``queue_intervals`` rebuild would show here first.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core import intervals
from pipeline.settings import Settings
from pipeline.store import agent_reads
from pipeline.store.components_sql import (AGGREGATES, INDEXED_SPAN_MS, WAITING, offered_between, offered_in,
                                           per_contact_columns)
from pipeline.store.store import Store

# the components the wallboard shows (service level, abandon rate, ASA, AHT, counts)
BOARD_COMPONENTS = ("offered", "answered", "abandoned", "short_abandoned", "answered_within_sl",
                    "abandoned_within_sl", "waiting", "sl_numerator", "sl_denominator", "wait_answered_sum_ms",
                    "aht_contacts", "handle_sum_ms")


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


def _facts_part(store: Store, settings: Settings, since_ms: int, today_ms: int, window_ms: int,
                end_ms: int) -> dict[str, tuple[dict[str, int], dict[str, int], int | None]]:
    """Per queue, from the facts offered in [since_ms, end_ms): components from ``today_ms`` and from
    ``window_ms``, and the oldest waiting contact from ``today_ms``."""
    db = store.db
    narrowing = f"{offered_between(db, [(since_ms, end_ms)])} AND " if end_ms - since_ms <= INDEXED_SPAN_MS else ""
    inner = ", ".join(
        ["queue", "is_answered", "is_abandoned", "ended_ms", "wrapup_complete", "handle_ms", "disposition", "channel",
         "first_response_ms", "offered_ms"]
        + [c for c in per_contact_columns(settings) if "next_ms" not in c])  # no FCR: no next-contact join
    today, window = f"offered_ms >= {today_ms}", f"offered_ms >= {window_ms}"
    outer = ", ".join(
        [f"{_conditional(AGGREGATES[n], today)} AS d_{n}" for n in BOARD_COMPONENTS]
        + [f"{_conditional(AGGREGATES[n], window)} AS w_{n}" for n in BOARD_COMPONENTS]
        + [f"minIf(offered_ms, {today} AND {WAITING}) AS oldest"])
    result = store.engine.query(
        f"SELECT queue, {outer} FROM (SELECT {inner} FROM {db}.contact_facts FINAL WHERE {narrowing}has_offered "
        f"AND direction = 'inbound' AND offered_ms >= {since_ms} AND offered_ms < {end_ms}) GROUP BY queue"
    )
    found = {}
    for i, queue in enumerate(result["queue"]):
        day = {n: int(result[f"d_{n}"][i]) for n in BOARD_COMPONENTS}
        found[queue] = (day, {n: int(result[f"w_{n}"][i]) for n in BOARD_COMPONENTS},
                        int(result["oldest"][i]) if day["waiting"] else None)
    return found


def _intervals_part(store: Store, from_ms: int, to_ms: int) -> tuple[dict[str, dict[str, int]], list[int]]:
    """Per queue, the components of the whole 15-minute intervals in [from_ms, to_ms), and the starts of
    those intervals that still hold a waiting contact."""
    if to_ms <= from_ms:
        return {}, []
    where = (f"direction = 'inbound' AND interval_start >= toDateTime({from_ms // 1000}) "
             f"AND interval_start < toDateTime({to_ms // 1000})")
    sums = ", ".join(f"sum({n}) AS s_{n}" for n in BOARD_COMPONENTS)
    rows = store.engine.query(
        f"SELECT queue, {sums}, groupArrayIf(toUInt32(interval_start), waiting > 0) AS waiting_at "
        f"FROM (SELECT * FROM {store.db}.queue_intervals FINAL WHERE {where}) GROUP BY queue HAVING s_offered > 0")
    found = {q: {n: int(rows[f"s_{n}"][i]) for n in BOARD_COMPONENTS} for i, q in enumerate(rows["queue"])}
    return found, sorted({int(s) * 1000 for starts in rows["waiting_at"] for s in starts})


def _oldest_waiting(store: Store, starts: list[int]) -> dict[str, int]:
    """The oldest waiting contact per queue in these 15-minute intervals (few: a contact rarely waits long)."""
    ranges = [(start, start + 900_000) for start in starts]
    if not ranges:
        return {}
    narrowing = offered_between(store.db, ranges) + " AND " if len(ranges) * 900_000 <= INDEXED_SPAN_MS else ""
    result = store.engine.query(
        f"SELECT queue, min(offered_ms) AS oldest FROM {store.db}.contact_facts FINAL WHERE {narrowing}"
        f"has_offered AND direction = 'inbound' AND {WAITING} "
        f"AND ({offered_in(ranges)}) GROUP BY queue")
    return dict(zip(result["queue"], (int(v) for v in result["oldest"])))


def queues_now(store: Store, settings: Settings, day_ms: int, window_ms: int, end_ms: int) -> dict[str, QueueNow]:
    """Per queue: the components of the day so far and of the trailing window, and the oldest waiting contact.

    The day's whole 15-minute intervals before the window come from
    ``queue_intervals`` (which every writer rebuilds from the facts with the
    report's SQL); only the contacts of the last half hour or so are read from
    the facts, so a refresh costs the same at 9:00 and at 19:00.
    """
    boundary = min(end_ms, max(day_ms, intervals.floor_ms(window_ms, "15m", settings.zone)))
    before, waiting_at = _intervals_part(store, day_ms, boundary)
    recent = _facts_part(store, settings, min(boundary, window_ms), boundary, window_ms, end_ms)
    older_waiting = _oldest_waiting(store, waiting_at)
    found = {}
    for queue in set(before) | set(recent):
        day, window, oldest = recent.get(queue, (dict.fromkeys(BOARD_COMPONENTS, 0),
                                                 dict.fromkeys(BOARD_COMPONENTS, 0), None))
        earlier = before.get(queue, {})
        today = {n: day[n] + earlier.get(n, 0) for n in BOARD_COMPONENTS}
        candidates = [t for t in (oldest, older_waiting.get(queue)) if t is not None]
        found[queue] = QueueNow(queue, today, window, min(candidates) if candidates else None)
    return found


def agent_states(store: Store, now_ms: int) -> list[AgentNow]:
    """Each agent's state at ``now_ms`` (logged-out agents left out), by agent id: its own changes with
    the contacts it answered laid over them (``core.agent_work``), so an agent on a call is on a contact
    whatever the source wrote."""
    return [AgentNow(agent, now.state, now.reason, now.ts_ms)
            for agent, now in sorted(agent_reads.states_now(store, now_ms).items()) if now.state != "logged_out"]
