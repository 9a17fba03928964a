"""The percentile of a large list (numpy selects the two ranks) equals the sorted list's, to the last bit."""

from __future__ import annotations

import random

from pipeline.core.kpi import percentile


def _sorted_percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def test_large_lists_give_the_sorted_lists_value_exactly() -> None:
    rng = random.Random(13)
    for count in (10_000, 10_001, 54_321):
        ints = [rng.randint(0, 64_000) for _ in range(count)]
        floats = [rng.random() * 1000 for _ in range(count)]
        for values in (ints, floats):
            for q in (0.0, 0.5, 0.9, 0.95, 1.0):
                got = percentile(values, q)
                assert got == _sorted_percentile(values, q) and type(got) is type(_sorted_percentile(values, q))


def test_small_lists_unchanged() -> None:
    assert percentile([10, 12, 20, 30], 0.9) == 27.0
    assert percentile([], 0.9) is None
