"""A Prometheus histogram observed a batch at a time.

prometheus-client's ``Histogram.observe`` is Python with a lock per value;
the worker observes every stored event's latency, and at 60,000 events/s
those calls were a tenth of its event loop (py-spy, ``bench/README.md``).
Here a batch's values are sorted into the buckets by ``bisect`` (C) and added
under one lock; the exposition is prometheus-client's own (a custom
collector yielding ``HistogramMetricFamily``), so the series are the same:
``_bucket{le=...}``, ``_sum`` and ``_count``.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from prometheus_client import CollectorRegistry
from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector


class BulkHistogram(Collector):
    """Cumulative buckets ``le`` each upper bound (and ``+Inf``), as Prometheus histograms count."""

    def __init__(self, name: str, documentation: str, buckets: Sequence[float], registry: CollectorRegistry) -> None:
        self.name, self.documentation = name, documentation
        self._bounds = sorted(float(b) for b in buckets)
        self._counts = [0] * (len(self._bounds) + 1)  # the last: above every bound (+Inf only)
        self._sum = 0.0
        self._lock = threading.Lock()
        registry.register(self)

    def observe_many(self, values: Iterable[float]) -> None:
        """Each value into the first bucket whose bound it does not exceed (``value <= le``)."""
        bounds, total, per_bucket = self._bounds, 0.0, Counter()
        for value in values:
            per_bucket[bisect_left(bounds, value)] += 1
            total += value
        with self._lock:
            for index, n in per_bucket.items():
                self._counts[index] += n
            self._sum += total

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            counts, total = list(self._counts), self._sum
        cumulative, running = [], 0
        for bound, n in zip([*map(_le, self._bounds), "+Inf"], counts):
            running += n
            cumulative.append((bound, running))
        yield HistogramMetricFamily(self.name, self.documentation, buckets=cumulative, sum_value=total)


def _le(bound: float) -> str:
    """The ``le`` label as prometheus-client writes it (``0.1``, ``1.0``)."""
    return repr(bound)
