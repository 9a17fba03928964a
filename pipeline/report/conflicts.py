"""The contacts whose source clocks contradicted each other (``time_conflict``), one row each.

A report counts them per group (``time_conflicts``); this lists them so a
supervisor can find the system with the skewed clock.  The moments shown are
the ones the events carried (local time of the centre); the durations are the
stored ones, where every negative duration was taken as 0.
"""

from __future__ import annotations

from typing import Any

from pipeline.core import intervals
from pipeline.report.build import ReportRequest
from pipeline.settings import Settings
from pipeline.store import reads
from pipeline.store.store import Store

MOMENTS = ("offered_ms", "answered_ms", "abandoned_ms", "ended_ms", "wrapup_ms")
DURATIONS = ("wait_ms", "hold_ms", "talk_ms", "acw_ms", "first_response_ms")
COLUMNS = ("contact_id", "queue", "channel", "agent_id", *MOMENTS, *DURATIONS)


def time_conflicts(store: Store, request: ReportRequest, settings: Settings) -> list[dict[str, Any]]:
    """Flagged contacts offered in the request's range (its queues and direction), by offered time."""
    result = reads.conflicted_contacts(store, COLUMNS, request.direction, request.start_ms, request.end_ms,
                                       request.queues)
    rows = []
    for values in zip(*(result[name] for name in COLUMNS)):
        record = dict(zip(COLUMNS, values))
        row: dict[str, Any] = {name: record[name] for name in ("contact_id", "queue", "channel", "agent_id")}
        for name in MOMENTS:
            ms = record[name]
            row[name.removesuffix("_ms")] = None if ms is None else intervals.iso(ms, settings.zone)
        for name in DURATIONS:
            ms = record[name]
            row[f"{name.removesuffix('_ms')}_s"] = None if ms is None else ms / 1000.0
        rows.append(row)
    return rows
