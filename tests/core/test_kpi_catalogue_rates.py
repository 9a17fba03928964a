"""``answer_rate`` and ``resolution_rate`` from components (pipeline.core.kpi.compute), worked by hand."""

from __future__ import annotations

import pytest

from pipeline.core.kpi import AGENT_COMPONENTS, COUNT_COMPONENTS, METRIC_KEYS, compute


def components(**values: float) -> dict[str, float]:
    full = dict.fromkeys(COUNT_COMPONENTS + AGENT_COMPONENTS, 0.0)
    full.update(values)
    return full


def test_rates_from_components() -> None:
    row = compute(components(offered=40, answered=38, resolved=27, disposed=30, csat_sum=20, csat_responses=5))
    assert row["answer_rate"] == pytest.approx(38 / 40)  # 0.95: 003's department line exactly
    assert row["resolution_rate"] == pytest.approx(27 / 30)  # 0.9
    assert row["csat_avg"] == pytest.approx(4.0) and row["csat_scale"] == "1-5"


def test_zero_denominators_are_none_not_zero() -> None:
    row = compute(components())
    assert row["answer_rate"] is None and row["resolution_rate"] is None
    row = compute(components(offered=3))  # offered, none answered: 0 / 3 is a real 0
    assert row["answer_rate"] == 0.0 and row["resolution_rate"] is None


def test_a_mixed_csat_scale_has_no_mean_but_keeps_the_satisfied_share() -> None:
    row = compute(components(csat_sum=104, csat_responses=2, csat_top2=1), csat_scale="mixed")
    assert row["csat_avg"] is None and row["csat_top2box"] == pytest.approx(1 / 2)


def test_every_new_key_is_a_catalogue_key() -> None:
    assert {"answer_rate", "resolution_rate", "csat_scale"} <= set(METRIC_KEYS)
    assert set(compute(components())) == set(METRIC_KEYS)
