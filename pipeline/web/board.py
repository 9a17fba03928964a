"""The wallboard's numbers at one instant: per queue and per agent, with what each number drills into.

Service level is over the trailing window (``trailing_window_s``) against the
queue's target; answered, abandoned, ASA and offered are for the centre's day
so far; waiting and the longest wait are now.  The queue figures come from
the report's own code path (``build_report``), so the wallboard and
``cckpi report`` cannot disagree about a formula.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.core import intervals
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import Settings
from pipeline.store import live
from pipeline.store.store import Store

AGENT_STATES = ("available", "on_contact", "after_contact_work", "not_ready")


def sl_status(service_level: float | None, target: float, amber_margin: float) -> str:
    """``met`` (green), ``near`` (amber: within the margin below target), ``missed`` (red), ``none`` (no contacts)."""
    if service_level is None:
        return "none"
    if service_level >= target:
        return "met"
    return "near" if service_level >= target - amber_margin else "missed"


def live_board(store: Store, settings: Settings, now_ms: int) -> dict[str, Any]:
    zone = settings.zone
    end_ms = now_ms + 1  # the report's ranges are half-open; a contact offered at "now" counts
    day_ms = intervals.floor_ms(now_ms, "1d", zone)
    window_ms = now_ms - int(settings.trailing_window_s * 1000)
    today = {r["queue"]: r for r in build_report(store, ReportRequest(day_ms, end_ms, ("queue",)), settings)}
    window = {r["queue"]: r for r in build_report(store, ReportRequest(window_ms, end_ms, ("queue",)), settings)}
    waits = live.waiting(store, day_ms, now_ms)
    queues = []
    for name in sorted(set(today) | set(window) | set(settings.queues)):
        config = settings.queue(name)
        day, recent, wait = today.get(name, {}), window.get(name, {}), waits.get(name)
        level = recent.get("service_level")
        queues.append({
            "queue": name,
            "service_level": level,
            "sl_target": config.sl_target,
            "sl_threshold_s": config.sl_threshold_s,
            "sl_status": sl_status(level, config.sl_target, settings.wallboard_amber_margin),
            "window_offered": recent.get("offered", 0),
            "waiting": wait.waiting if wait else 0,
            "longest_wait_s": (now_ms - wait.oldest_offered_ms) / 1000 if wait else None,
            "offered": day.get("offered", 0),
            "answered": day.get("answered", 0),
            "abandoned": day.get("abandoned", 0),
            "abandon_rate": day.get("abandon_rate"),
            "asa_s": day.get("asa_s"),
            "aht_s": day.get("aht_s"),
        })
    agents = live.agent_states(store, now_ms)
    counts = Counter(a.state for a in agents)
    reasons = Counter(a.reason or "-" for a in agents if a.state == "not_ready")
    return {
        "now": intervals.iso(now_ms, zone),
        "tz": settings.tz,
        "window_s": settings.trailing_window_s,
        "ranges": {"window": [intervals.iso(window_ms, zone), intervals.iso(end_ms, zone)],
                   "today": [intervals.iso(day_ms, zone), intervals.iso(end_ms, zone)]},
        "queues": queues,
        "agent_counts": {state: counts.get(state, 0) for state in AGENT_STATES},
        "not_ready_reasons": dict(sorted(reasons.items())),
        "agents": [{"agent_id": a.agent_id, "state": a.state, "reason": a.reason,
                    "since": intervals.iso(a.since_ms, zone), "in_state_s": max(0, now_ms - a.since_ms) / 1000}
                   for a in agents],
    }
