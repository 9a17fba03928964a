"""A Prometheus histogram observed a batch at a time.

prometheus-client's ``Histogram.observe`` is Python with a lock per value;
the worker observes every stored event's latency, and at 60,000 events/s
those calls were a tenth of its event loop (py-spy, ``bench/README.md``).
Here a batch's times are sorted once and each bucket counted by one ``bisect``
(C: no Python per value), added under one lock; the exposition is prometheus-client's own (a custom
collector yielding ``HistogramMetricFamily``), so the series are the same:
``_bucket{le=...}``, ``_sum`` and ``_count``.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from prometheus_client import CollectorRegistry
from prometheus_client.core import HistogramMetricFamily, Metric
from prometheus_client.registry import Collector


class BulkHistogram(Collector):
    """Cumulative buckets ``le`` each upper bound (and ``+Inf``), as Prometheus histograms count."""

    def __init__(self, name: str, documentation: str, buckets: Sequence[float], registry: CollectorRegistry) -> None:
        self.name, self.documentation = name, documentation
        self._bounds = sorted(float(b) for b in buckets)
        self._bounds_ms = [bound * 1000 for bound in self._bounds]
        self._counts = [0] * (len(self._bounds) + 1)  # the last: above every bound (+Inf only)
        self._sum = 0.0
        self._lock = threading.Lock()
        registry.register(self)

    def observe_ages(self, now_ms: int, times_ms: Iterable[int]) -> None:
        """The age of each time at ``now_ms`` (``now_ms - t``, 0 for a time after it) observed in seconds.

        An age is at most a bound exactly when its time is at least ``now_ms - bound``, so with the times sorted,
        each bucket is one bisection: the latency of a 50,000-event batch costs a sort, not 50,000 Python steps.
        Integer milliseconds, so an age on a bound (100 ms and ``le="0.1"``) counts in that bucket, as
        ``Histogram.observe(age_ms / 1000)`` counts it.
        """
        times = sorted(times_ms)
        n = len(times)
        if not n:
            return
        within = [n - bisect_left(times, now_ms - bound_ms) for bound_ms in self._bounds_ms]  # ages <= each bound
        past = bisect_right(times, now_ms)  # the times with a positive age; the rest count 0
        total_ms = past * now_ms - sum(islice(times, past))
        with self._lock:
            below = 0
            for index, cumulative in enumerate(within):
                self._counts[index] += cumulative - below
                below = cumulative
            self._counts[-1] += n - below
            self._sum += total_ms / 1000

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
