"""The batch-at-a-time latency histogram exposes what prometheus-client's own Histogram would, value for value."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from pipeline.worker.bulk_histogram import BulkHistogram
from pipeline.worker.exporter import LATENCY_BUCKETS


def _exposed(registry: CollectorRegistry) -> list[str]:
    return [line for line in generate_latest(registry).decode().splitlines() if "_created" not in line]


def test_bulk_observations_expose_the_same_series_as_one_by_one():
    # on a bound (0.1, 1, 86400) counts in that bucket (le); just above it in the next; above every bound: +Inf only
    values = [0.0, 0.1, 0.1000001, 0.25, 1, 1.5, 5, 86400, 86400.5, 99999]
    reference, bulk = CollectorRegistry(), CollectorRegistry()
    one_by_one = Histogram("cckpi_t_seconds", "doc", buckets=LATENCY_BUCKETS, registry=reference)
    for value in values:
        one_by_one.observe(value)
    batched = BulkHistogram("cckpi_t_seconds", "doc", LATENCY_BUCKETS, bulk)
    batched.observe_many(values[:3])
    batched.observe_many(iter(values[3:]))
    batched.observe_many([])
    assert _exposed(bulk) == _exposed(reference)
    # by hand: le=0.1 holds 0.0 and 0.1; le=0.25 adds 0.1000001 and 0.25; le=1 adds 1; le=2 adds 1.5; le=5 adds 5;
    # le=86400 adds 86400; +Inf adds 86400.5 and 99999
    lines = _exposed(bulk)
    assert 'cckpi_t_seconds_bucket{le="0.1"} 2.0' in lines
    assert 'cckpi_t_seconds_bucket{le="0.25"} 4.0' in lines
    assert 'cckpi_t_seconds_bucket{le="86400.0"} 8.0' in lines
    assert 'cckpi_t_seconds_bucket{le="+Inf"} 10.0' in lines and "cckpi_t_seconds_count 10.0" in lines
    assert f"cckpi_t_seconds_sum {sum(values)!r}" in lines
