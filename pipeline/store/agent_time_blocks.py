"""Agent time a local day at a time, kept in ``agent_time_blocks`` and checked against its inputs when read.

Agent time (logged-in time, occupancy) comes from each agent's timeline
(``core.agent_work``): its own state changes with the contacts it answered
laid over them, which only Python lays.  Laying every contact of a report's
range at each read cost about 10 µs a contact: a month's report by agent over
1.5M contacts took 15 s, the payroll rollup of 2M contacts 22 s, and a month
of 50M facts did not finish (11 GB).  So agent time is laid one *block* at a
time, one agent's local day, and each block is kept with a fingerprint of the
inputs it was laid from.  A read fingerprints the blocks of its range in a few
grouped queries and lays again only the blocks whose inputs changed since they
were kept (today's, a late event's day), so nothing in the write path has to
know about blocks, and a block cannot stay stale: changed inputs change its
fingerprint.

A block reads what a report over that one day reads (``agent_reads``): the
day's changes, the agent's last change before it and first at or after its
end, and the contacts answered before its end whose wrap-up had not ended at
its start, offered at most ``WORK_LOOKBACK_MS`` before it.  A choice: a
range's agent time is the sum of its days' blocks, each clipped to the range,
so a week is the sum of its seven days (DESIGN.md section 4: any window is a
sum).  So that the sum equals one timeline laid over the whole range, a block
whose last state is still running at the day's end counts it up to the end
when anything of the agent's comes later (its own change, or a contact it
answered: either ends the state); with nothing later the state is open and
counts nothing, as before.  Where they can still differ: a contact whose end
was lost keeps its agent on the contact only within the lookback of each day.

A store whose user may not write (the wallboard's ``readonly=1``) reads the
kept blocks and lays the changed ones in memory without keeping them.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass

from pipeline.core import intervals
from pipeline.core.agent_time import state_time
from pipeline.core.agent_work import UNKNOWN, Change
from pipeline.ingest.gc_pause import gc_paused
from pipeline.settings import Settings
from pipeline.store import agent_reads, queue_intervals
from pipeline.store.agent_reads import WORK_LOOKBACK_MS
from pipeline.store.components_sql import INDEXED_SPAN_MS, offered_between
from pipeline.store.engines import literal
from pipeline.store.interval_sql import interval_start_sql
from pipeline.store.store import Store

log = logging.getLogger("cckpi.store")

LAYING = 1  # part of every fingerprint: raise it when the way a block is laid changes, and every block is laid again
TOTALS = ("handle_state_ms", "available_ms", "logged_in_ms")
_ORDER = "(ts_ms, seq, event_id)"
_CHANGE_HASH = "cityHash64(agent_id, ts_ms, seq, event_id, state, reason)"
_WORK_HASH = "cityHash64(contact_id, ifNull(answered_ms, -1), ifNull(ended_ms, -1), ifNull(wrapup_ms, -1))"
_WRAP = 2**64  # UInt64 sums wrap
_FEW = 0.5  # lay only the changed blocks' agents when they are fewer than this share of the day's agents

Totals = dict[str, int]
AgentTime = dict[str, dict[int, Totals]]  # agent -> 15-minute interval start (epoch ms) -> totals


@dataclass(frozen=True)
class Day:
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Print:
    fingerprint: int  # of every input of the block
    closed: bool  # anything of the agent's comes after the day: an own change, a contact answered


def days_of(start_ms: int, end_ms: int, settings: Settings) -> list[Day]:
    """The local days overlapping [start_ms, end_ms) (the pre-aggregates' days, ``queue_intervals.days``)."""
    return [Day(*span) for span in queue_intervals.days(intervals.starts(start_ms, end_ms, "1d", settings.zone),
                                                        settings)]


def agent_time(store: Store, settings: Settings, start_ms: int, end_ms: int, daily: bool = False) -> AgentTime:
    """Per agent its milliseconds per state in each local 15-minute interval of [start_ms, end_ms), or with
    ``daily`` in each local day (what a report by agent alone, or by day, needs: whole days are then summed
    by the database, not here).

    A range off the 15-minute grid gets its first and last pieces as
    intervals starting at ``start_ms`` and at the 15-minute boundary before
    ``end_ms``, clipped; its edge days are laid for it and not kept.
    """
    zone = settings.zone
    days = days_of(start_ms, end_ms, settings)
    if not days:
        return {}
    prints: dict[int, dict[str, Print]] = defaultdict(dict)
    for (day_ms, agent), found_print in fingerprints(store, settings.tz, days).items():
        prints[day_ms][agent] = found_print
    inside = [d for d in days if start_ms <= d.start_ms and d.end_ms <= end_ms]
    kept = _kept(store, settings.tz, inside if daily else days, summed=daily)
    if daily:
        kept.update(_kept(store, settings.tz, [d for d in days if d not in inside], summed=False))
    found: AgentTime = defaultdict(dict)
    for day in days:
        lo, hi = max(start_ms, day.start_ms), min(end_ms, day.end_ms)
        day_prints = prints.get(day.start_ms, {})
        if all(intervals.floor_ms(ms, "15m", zone) == ms for ms in (lo, hi)):
            kept_day = kept.get(day.start_ms, {})
            blocks = {agent: pieces for agent, (fp, pieces) in kept_day.items()
                      if agent in day_prints and day_prints[agent].fingerprint == fp}
            missing = {agent: p.closed for agent, p in day_prints.items() if agent not in blocks}
            if missing:
                laid = lay(store, settings, day, missing, len(day_prints))
                _keep(store, settings.tz, day, {agent: (day_prints[agent].fingerprint, laid[agent])
                                                for agent in missing})
                blocks.update(laid)
        else:
            blocks = lay(store, settings, day, {agent: p.closed for agent, p in day_prints.items()},
                         len(day_prints), lo, hi)
        for agent, pieces in blocks.items():
            into = found[agent]
            for start, totals in pieces.items():
                if lo <= start < hi:
                    key = day.start_ms if daily else start
                    if key in into:
                        into[key] = {name: into[key][name] + totals[name] for name in TOTALS}
                    else:
                        into[key] = totals
    return dict(found)


def lay(store: Store, settings: Settings, day: Day, agents: dict[str, bool], of: int,
        lo: int | None = None, hi: int | None = None) -> AgentTime:
    """The blocks of ``agents`` (agent -> whether anything of it comes after the day) on ``day``, of ``of``
    agents with a block that day, laid from the store: per agent its non-zero totals per 15-minute interval,
    clipped to [lo, hi) (default: the day)."""
    lo = day.start_ms if lo is None else lo
    hi = day.end_ms if hi is None else hi
    cuts = [lo] + [c for c in intervals.starts(lo, hi, "15m", settings.zone) if c > lo]
    laid: AgentTime = {}
    # a day's contacts and timelines stay alive until laid: the collector would scan them again and again for
    # nothing (half of laying a month of 1.5M contacts)
    with gc_paused():
        lines = agent_reads.timelines(store, day.start_ms, day.end_ms, set(agents) if len(agents) < of * _FEW else None)
        for agent, closed in agents.items():
            line = lines.get(agent, [])
            if line and closed and line[-1].ts_ms < day.end_ms:
                line = [*line, Change(day.end_ms, 0, "", UNKNOWN)]  # something comes later: the state ends there
            laid[agent] = {bucket: totals for bucket, totals in state_time(line, lo, hi, cuts).items()
                           if any(totals.values())}
    return laid


def _offered_after(store: Store, end_ms: int) -> set[str]:
    """Agents with a contact offered at or after ``end_ms`` and answered (the offered-time index, which carries
    both since migration 0012)."""
    rows = store.engine.query(f"SELECT DISTINCT agent_id FROM {store.db}.contact_offers FINAL "
                              f"WHERE offered_ms >= {end_ms} AND is_answered AND agent_id != ''")
    return set(rows["agent_id"])


def fingerprints(store: Store, tz: str, days: list[Day]) -> dict[tuple[int, str], Print]:
    """(day start, agent) -> the block's print, for each block with any input.

    A block exists where the agent changed state or worked a contact that day,
    or where a state it set before the day still runs through it (a change
    before it and anything after it).  "After" is known from the range's own
    rows, its edges and the contacts offered after it.
    """
    first, end = days[0].start_ms, days[-1].end_ms
    changes, firsts, lasts = _changes_per_day(store, tz, first, end)
    before, after = _edges(store, first, end)
    works, last_answered = _works_per_day(store, tz, first, end)
    later = set(after) | _offered_after(store, end)
    agents = set(changes) | set(works) | set(before) | set(last_answered)
    found = {}
    for agent in agents:
        agent_changes, agent_works = changes.get(agent, {}), works.get(agent, {})
        running = before.get(agent)
        own_days = sorted(agent_changes)
        following = 0  # own_days[following]: the first day after the current one with an own change
        for day in days:
            day_s = day.start_ms // 1000
            while following < len(own_days) and own_days[following] <= day_s:
                following += 1
            edge_after = firsts[agent][own_days[following]] if following < len(own_days) else after.get(agent)
            closed = edge_after is not None or agent in later or last_answered.get(agent, -1) >= day.end_ms
            if day_s in agent_changes or day_s in agent_works or (running is not None and closed):
                found[(day.start_ms, agent)] = Print(_stable_hash(
                    (LAYING, agent_changes.get(day_s), running, edge_after, agent_works.get(day_s), closed)), closed)
            if day_s in agent_changes:
                running = lasts[agent][day_s]
    return found


def _stable_hash(parts: tuple) -> int:
    """A signed 64-bit hash of ints, None and tuples of them, the same in every process (``hash(None)`` is not)."""
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big", signed=True)


def _changes_per_day(store: Store, tz: str, start_ms: int, end_ms: int) -> tuple[
        dict[str, dict[int, tuple[int, int]]], dict[str, dict[int, int]], dict[str, dict[int, int]]]:
    """Per agent and local day (start, epoch s) in the range: (hash sum, count) of its changes, and the hashes of
    its first and last change."""
    day = interval_start_sql("ts_ms", "1d", tz)
    rows = store.engine.query(
        f"SELECT agent_id, {day} AS day, sum(h) AS hs, count() AS n, argMin(h, {_ORDER}) AS first, "
        f"argMax(h, {_ORDER}) AS last FROM (SELECT agent_id, ts_ms, seq, event_id, {_CHANGE_HASH} AS h "
        f"FROM {store.db}.agent_states FINAL WHERE ts_ms >= {start_ms} AND ts_ms < {end_ms}) "
        f"GROUP BY agent_id, day")
    sums: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    firsts: dict[str, dict[int, int]] = defaultdict(dict)
    lasts: dict[str, dict[int, int]] = defaultdict(dict)
    for agent, d, hs, n, f, last in zip(rows["agent_id"], rows["day"], rows["hs"], rows["n"], rows["first"],
                                        rows["last"]):
        sums[agent][int(d)] = (int(hs), int(n))
        firsts[agent][int(d)], lasts[agent][int(d)] = int(f), int(last)
    return sums, firsts, lasts


def _edges(store: Store, start_ms: int, end_ms: int) -> tuple[dict[str, int], dict[str, int]]:
    """Per agent the hash of its last change before the range and of its first at or after its end."""
    found = []
    for pick, where in (("argMax", f"ts_ms < {start_ms}"), ("argMin", f"ts_ms >= {end_ms}")):
        rows = store.engine.query(f"SELECT agent_id, {pick}({_CHANGE_HASH}, {_ORDER}) AS h "
                                  f"FROM {store.db}.agent_states FINAL WHERE {where} GROUP BY agent_id")
        found.append({agent: int(h) for agent, h in zip(rows["agent_id"], rows["h"])})
    return found[0], found[1]


def _works_per_day(store: Store, tz: str, start_ms: int, end_ms: int) -> tuple[
        dict[str, dict[int, tuple[int, int]]], dict[str, int]]:
    """Per agent and local day (start, epoch s): (hash sum, count) of the contacts that day's block may read, and
    per agent the last time it answered a contact offered in the range (or within the lookback before it).

    A block reads a contact answered before the day's end, offered before it and at most the lookback
    before its start (``agent_reads._works``), so only the day of the later of its offer and answer and
    the day after, if offered within the lookback before that day.  Both count it here, whatever its
    wrap-up: a block whose fingerprint counts a contact it does not read is laid again when that contact
    changes, which costs a lay, never a number.  The lookback condition is kept, so a block's print is
    the same whichever range it is read through (a day's report, the month's).

    The contacts are grouped by agent, first day and whether each of the two days reads them; the groups
    are added into the days here.  The same sums (modulo 2**64, as the database's ``sum`` of UInt64 wraps)
    as grouping by each day a contact is read on, without making a row per day read: at 50M facts the
    month's read took 9.1 s instead of 10.6 s, and a block kept before keeps its print.
    """
    lookback = WORK_LOOKBACK_MS
    d1 = interval_start_sql("greatest(offered_ms, assumeNotNull(answered_ms))", "1d", tz)
    d2 = interval_start_sql("(d1 * 1000 + 108000000)", "1d", tz)  # the next local day, whatever its length
    lo = start_ms - lookback
    narrowing = f"{offered_between(store.db, [(lo, end_ms)])} AND " if end_ms - lo <= INDEXED_SPAN_MS else ""
    rows = store.engine.query(
        f"SELECT agent_id, d1, {d2} AS d2, q1, q2, hs, n, last FROM ("
        f"SELECT agent_id, d1, q1, q2, sum(h) AS hs, count() AS n, max(answered) AS last FROM ("
        f"SELECT agent_id, assumeNotNull(answered_ms) AS answered, {_WORK_HASH} AS h, {d1} AS d1, "
        f"offered_ms >= d1 * 1000 - {lookback} AS q1, offered_ms >= {d2} * 1000 - {lookback} AS q2 "
        f"FROM {store.db}.contact_facts FINAL WHERE {narrowing}has_offered AND offered_ms >= {lo} "
        f"AND offered_ms < {end_ms} AND is_answered AND agent_id != '') GROUP BY agent_id, d1, q1, q2)")
    sums: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    last: dict[str, int] = {}
    for agent, first, second, q1, q2, hs, n, answered in zip(
            rows["agent_id"], rows["d1"], rows["d2"], rows["q1"], rows["q2"], rows["hs"], rows["n"], rows["last"]):
        last[agent] = max(last.get(agent, -1), int(answered))
        for day, reads in ((int(first), q1), (int(second), q2)):
            if reads:  # that day's block reads these contacts
                h, count = sums[agent].get(day, (0, 0))
                sums[agent][day] = ((h + int(hs)) % _WRAP, count + int(n))
    return sums, last


def _kept(store: Store, tz: str, days: list[Day], summed: bool) -> dict[int, dict[str, tuple[int, dict[int, Totals]]]]:
    """The kept blocks of these days: day start -> agent -> (fingerprint, totals per 15-minute interval, or with
    ``summed`` the day's totals keyed by the day's start)."""
    if not days:
        return {}
    starts = ", ".join(str(d.start_ms) for d in days)
    columns = (f"day_ms AS start, {', '.join(f'arraySum({t}) AS v_{t}' for t in TOTALS)}" if summed
               else f"interval_ms AS start, {', '.join(f'{t} AS v_{t}' for t in TOTALS)}")
    rows = store.engine.query(
        f"SELECT day_ms, agent_id, fingerprint, {columns} FROM {store.db}.agent_time_blocks FINAL "
        f"WHERE tz = {literal(tz)} AND day_ms IN ({starts})")
    found: dict[int, dict[str, tuple[int, dict[int, Totals]]]] = defaultdict(dict)
    for day, agent, fp, start, *totals in zip(rows["day_ms"], rows["agent_id"], rows["fingerprint"],
                                              rows["start"], *(rows[f"v_{t}"] for t in TOTALS)):
        if summed:  # a block with no time (an agent logged out all day) is kept with no interval, like a laid one
            pieces = {int(start): dict(zip(TOTALS, map(int, totals)))} if any(totals) else {}
        else:
            pieces = {int(s): dict(zip(TOTALS, map(int, values))) for s, *values in zip(start, *totals)}
        found[int(day)][agent] = (int(fp), pieces)
    return found


def _keep(store: Store, tz: str, day: Day, blocks: dict[str, tuple[int, dict[int, Totals]]]) -> None:
    """Write these blocks of ``day``; a store that refuses the write (a read-only user) just does not keep them."""
    if not blocks:
        return
    agents = sorted(blocks)
    columns: dict[str, list] = {"tz": [tz] * len(agents), "day_ms": [day.start_ms] * len(agents),
                                "agent_id": agents, "fingerprint": [blocks[a][0] for a in agents],
                                "version": [store.next_version()] * len(agents),
                                "interval_ms": [sorted(blocks[a][1]) for a in agents]}
    for total in TOTALS:
        columns[total] = [[blocks[a][1][s][total] for s in sorted(blocks[a][1])] for a in agents]
    types = {"tz": "str", "day_ms": "int", "agent_id": "str", "fingerprint": "int", "version": "int",
             **{name: "ints" for name in ("interval_ms", *TOTALS)}}
    try:
        store.engine.insert("agent_time_blocks", columns, types)
    except Exception as exc:  # noqa: BLE001 - the engines raise their own errors; the blocks are only not kept
        log.debug("agent time blocks not kept (a read-only user?): %s", str(exc).splitlines()[0][:200])
