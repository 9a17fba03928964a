"""Live queue gauges (docs/design.md section 3 "Live (now) metrics") computed from the store.

Why from the store and not from the worker's memory: with several workers each
holds only its partitions' contacts, while the store holds them all; the same
``build_report`` code as ``cckpi report`` then gives the trailing-window service
level, so a wallboard, an alert and a report never disagree.  Two small SQL
queries add what a report has no key for: contacts waiting now (offered, not
answered or abandoned) with the longest wait, and agents per latest state.

"Now" is a clock: the wall clock in production, or the newest event time seen
(``--clock events``) so that replays of past days and tests show live gauges.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from pipeline import metric_defs as m
from pipeline.report.build import ReportRequest, build_report
from pipeline.settings import Settings
from pipeline.store import reads
from pipeline.store.store import Store

WAITING_HORIZON_MS = 2 * 3600 * 1000  # an "offered" older than this with no outcome is a lost event, not a caller
AGENT_HORIZON_MS = 24 * 3600 * 1000  # agents with no state change for a day are not on the floor
AGENT_STATES = ("logged_out", "available", "on_contact", "after_contact_work", "not_ready")


Sample = tuple[str, tuple[str, ...], float]  # metric name, label values, value


@dataclass
class LiveSnapshot:
    now_ms: int
    samples: list[Sample] = field(default_factory=list)

    def add(self, name: str, labels: tuple[str, ...], value: Any) -> None:
        """A None (a ratio with no denominator) is left out, never shown as 0."""
        if value is not None:
            self.samples.append((name, labels, float(value)))

    def value(self, name: str, *labels: str) -> float | None:
        for sample_name, sample_labels, value in self.samples:
            if sample_name == name and sample_labels == labels:
                return value
        return None


def compute_live(store: Store, settings: Settings, now_ms: int) -> LiveSnapshot:
    snapshot = LiveSnapshot(now_ms)
    start_ms = now_ms - int(settings.trailing_window_s * 1000)
    rows = build_report(store, ReportRequest(start_ms, now_ms + 1, ("queue", "channel")), settings)
    queues: set[str] = set(settings.queues)
    pairs: set[tuple[str, str]] = set()
    for row in rows:
        queue, channel = str(row["queue"]), str(row["channel"])
        queues.add(queue)
        pairs.add((queue, channel))
        snapshot.add(m.SERVICE_LEVEL, (queue, channel, str(row["sl_abandon_mode"])), row["service_level"])
        snapshot.add(m.ABANDON_RATE, (queue, channel), row["abandon_rate"])
        snapshot.add(m.ASA, (queue, channel), row["asa_s"])
        snapshot.add(m.OFFERED_IN_WINDOW, (queue, channel), row["offered"])
        if channel == "chat":
            snapshot.add(m.FIRST_RESPONSE, (queue,), row["frt_avg_s"])
    waiting = reads.waiting_by_queue(store, now_ms, WAITING_HORIZON_MS)
    for (queue, channel), (count, oldest_ms) in waiting.items():
        queues.add(queue)
        pairs.add((queue, channel))
    for queue, channel in sorted(pairs):
        count, oldest_ms = waiting.get((queue, channel), (0, now_ms))
        snapshot.add(m.WAITING, (queue, channel), count)
        snapshot.add(m.LONGEST_WAIT, (queue, channel), max(0, now_ms - oldest_ms) / 1000.0 if count else 0.0)
    for queue, newest_ms in reads.newest_offered_by_queue(store, now_ms, AGENT_HORIZON_MS).items():
        queues.add(queue)
        snapshot.add(m.LAST_EVENT_TIMESTAMP, (queue,), newest_ms / 1000.0)
    for queue in sorted(queues):
        targets = settings.queue(queue)
        snapshot.add(m.SERVICE_LEVEL_TARGET, (queue,), targets.sl_target)
        snapshot.add(m.ABANDON_RATE_TARGET, (queue,), targets.abandon_rate_target)
        snapshot.add(m.LONGEST_WAIT_THRESHOLD, (queue,), targets.longest_wait_alert_s)
    agents = reads.agents_by_state(store, now_ms)
    for state in AGENT_STATES:
        snapshot.add(m.AGENTS, (state,), agents.get(state, 0))
    return snapshot


class LiveCollector(Collector):
    """Serves the latest snapshot as a whole, so a scrape never sees half an update."""

    def __init__(self) -> None:
        self.snapshot: LiveSnapshot | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snapshot = self.snapshot
        if snapshot is None:
            return
        families = {g: GaugeMetricFamily(g, g.help, labels=list(g.labels)) for g in m.LIVE_GAUGES}
        for name, labels, value in snapshot.samples:
            families[name].add_metric(list(labels), value)
        yield from families.values()
