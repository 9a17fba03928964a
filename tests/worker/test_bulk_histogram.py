"""The batch-at-a-time latency histogram exposes what prometheus-client's own Histogram would, value for value."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from pipeline.worker.bulk_histogram import BulkHistogram
from pipeline.worker.exporter import LATENCY_BUCKETS

NOW_MS = 1_764_547_200_000  # 2025-12-01T00:00:00Z


def _exposed(registry: CollectorRegistry) -> list[str]:
    return [line for line in generate_latest(registry).decode().splitlines() if "_created" not in line]


def _buckets(registry: CollectorRegistry) -> list[str]:
    return [line for line in _exposed(registry) if "_sum " not in line]


def test_ages_expose_the_same_series_as_observing_each_age():
    # ages on a bound (100 ms, 1 s, 86,400 s) count in that bucket (le); 1 ms above it in the next; above every
    # bound: +Inf only; a time after now (a producer's clock ahead) is age 0
    ages_ms = [0, 100, 101, 250, 1000, 1500, 5000, 86_400_000, 86_400_001, 99_999_000, -2_000]
    reference, bulk = CollectorRegistry(), CollectorRegistry()
    one_by_one = Histogram("cckpi_t_seconds", "doc", buckets=LATENCY_BUCKETS, registry=reference)
    for age in ages_ms:
        one_by_one.observe(max(0, age) / 1000)
    batched = BulkHistogram("cckpi_t_seconds", "doc", LATENCY_BUCKETS, bulk)
    times = [NOW_MS - age for age in ages_ms]
    batched.observe_ages(NOW_MS, times[:3])
    batched.observe_ages(NOW_MS, iter(times[3:]))
    batched.observe_ages(NOW_MS, [])
    assert _buckets(bulk) == _buckets(reference)
    # by hand: le=0.1 holds 0, 0.1 and the future time; le=0.25 adds 0.101 and 0.25; le=1 adds 1; le=2 adds 1.5;
    # le=5 adds 5; le=86400 adds 86400; +Inf adds 86400.001 and 99999
    lines = _exposed(bulk)
    assert 'cckpi_t_seconds_bucket{le="0.1"} 3.0' in lines
    assert 'cckpi_t_seconds_bucket{le="0.25"} 5.0' in lines
    assert 'cckpi_t_seconds_bucket{le="86400.0"} 9.0' in lines
    assert 'cckpi_t_seconds_bucket{le="+Inf"} 11.0' in lines and "cckpi_t_seconds_count 11.0" in lines
    # the sum of the ages, 0 for the future time: 272,806.952 s, summed in integer ms (no float drift)
    assert "cckpi_t_seconds_sum 272806.952" in lines
