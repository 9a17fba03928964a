"""The worker's own health and throughput in Prometheus (names from ``pipeline.metric_defs``).

One registry per worker rather than prometheus-client's global one, so a
process (a test, the demo) can build more than one worker without
"Duplicated timeseries" errors.
"""

from __future__ import annotations

from collections import Counter as Tally

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from pipeline import metric_defs as m
from pipeline.worker.bulk_histogram import BulkHistogram
from pipeline.worker.gauges import LiveCollector

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600, 86400)


class WorkerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.consumed = Counter(*m.EVENTS_CONSUMED.spec(), registry=r)
        self.rejected = Counter(*m.EVENTS_REJECTED.spec(), registry=r)
        self.duplicate = Counter(*m.EVENTS_DUPLICATE.spec(), registry=r)
        self.time_conflicts = Counter(*m.TIME_CONFLICTS.spec(), registry=r)
        self.conflicting = Counter(*m.EVENTS_CONFLICTING_DUPLICATE.spec(), registry=r)
        self.batch_seconds = Histogram(*m.BATCH_INSERT_SECONDS.spec(), registry=r)
        name, documentation, _labels = m.EVENT_TO_STORE_SECONDS.spec()
        self.latency = BulkHistogram(name, documentation, LATENCY_BUCKETS, registry=r)  # every stored event's
        self.lag = Gauge(*m.CONSUMER_LAG.spec(), registry=r)
        self.live = LiveCollector()
        r.register(self.live)

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """Expose /metrics on host:port (0: not at all); a pod listens on 0.0.0.0 for its probes and Prometheus."""
        if port:
            start_http_server(port, addr=host, registry=self.registry)

    def count(self, consumed: Tally[str], rejected: Tally[str], duplicates: Tally[str],
              conflicting: Tally[str] | None = None) -> None:
        """Add one batch's tallies (by event type, by rejection reason)."""
        for kind, n in consumed.items():
            self.consumed.labels(kind).inc(n)
        for reason, n in rejected.items():
            self.rejected.labels(reason).inc(n)
        for kind, n in duplicates.items():
            self.duplicate.labels(kind).inc(n)
        for kind, n in (conflicting or {}).items():
            self.conflicting.labels(kind).inc(n)
