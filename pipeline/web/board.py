"""The wallboard's numbers at one instant: per queue and per agent, with what each number drills into.

Service level is over the trailing window (``trailing_window_s``) against the
queue's target; answered, abandoned, the answer rate, ASA and offered are for the centre's day
so far; waiting and the longest wait are now.  The ratios come from the
catalogue's one ``compute`` over the report's own components
(``pipeline.store.live``), so the wallboard and ``cckpi report`` cannot
disagree about a formula (tests/web/test_api.py holds them equal).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.core import intervals
from pipeline.core.kpi import AGENT_COMPONENTS, COUNT_COMPONENTS, compute
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


def _metrics(components: dict[str, int], mode: str) -> dict[str, Any]:
    full: dict[str, float] = dict.fromkeys(COUNT_COMPONENTS + AGENT_COMPONENTS, 0)
    full.update(components)
    return compute(full, sl_abandon_mode=mode)


def live_board(store: Store, settings: Settings, now_ms: int) -> dict[str, Any]:
    zone = settings.zone
    end_ms = now_ms + 1  # the report's ranges are half-open; a contact offered at "now" counts
    day_ms = intervals.floor_ms(now_ms, "1d", zone)
    window_ms = now_ms - int(settings.trailing_window_s * 1000)
    figures = live.queues_now(store, settings, day_ms, window_ms, end_ms)
    queues = []
    for name in sorted(set(figures) | set(settings.queues)):
        config = settings.queue(name)
        now = figures.get(name)
        day = _metrics(now.today if now else {}, config.sl_abandon_mode)
        level = _metrics(now.window if now else {}, config.sl_abandon_mode)["service_level"]
        oldest = now.oldest_waiting_ms if now else None
        queues.append({
            "queue": name,
            "service_level": level,
            "sl_target": config.sl_target,
            "sl_threshold_s": config.sl_threshold_s,
            "sl_status": sl_status(level, config.sl_target, settings.wallboard_amber_margin),
            "window_offered": now.window["offered"] if now else 0,
            "waiting": day["waiting"],
            "longest_wait_s": (now_ms - oldest) / 1000 if oldest is not None else None,
            "offered": day["offered"],
            "answered": day["answered"],
            "abandoned": day["abandoned"],
            "abandon_rate": day["abandon_rate"],
            "answer_rate": day["answer_rate"],
            "asa_s": day["asa_s"],
            "aht_s": day["aht_s"],
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
