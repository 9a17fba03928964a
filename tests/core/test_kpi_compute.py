"""``core/kpi.py``'s ``compute`` over one group's components, by hand: the seconds figures, the 90th percentile
of first responses, the defaults (queue view: no agent figures; ``exclude_short``), and an agent's view built
from exactly the component names the module exports (as ``report/build.py`` and ``web/board.py`` build it)."""

from __future__ import annotations

import pytest

from pipeline.core.kpi import AGENT_COMPONENTS, COUNT_COMPONENTS, compute


def _components(**given: float) -> dict[str, float]:
    return {**dict.fromkeys(COUNT_COMPONENTS + AGENT_COMPONENTS, 0), **given}


def test_seconds_figures_and_the_p90_of_first_responses():
    c = _components(offered=4, answered=4, wait_answered_sum_ms=40_000, aht_contacts=2, handle_sum_ms=300_000,
                    talk_sum_ms=240_000, hold_sum_ms=20_000, acw_sum_ms=40_000, frt_contacts=2, frt_sum_ms=25_000)
    # first responses 10, 15, 20, 30, 40 s: position (5 - 1) x 0.9 = 3.6, between 30 and 40: 30 + 0.6 x 10 = 36
    result = compute(c, frt_values_ms=[40_000, 10_000, 30_000, 15_000, 20_000])
    assert result["asa_s"] == pytest.approx(10.0)  # 40 s of waiting over 4 answered
    assert (result["aht_s"], result["avg_talk_s"], result["avg_hold_s"], result["avg_acw_s"]) == pytest.approx(
        (150.0, 120.0, 10.0, 20.0))  # over the 2 contacts with a wrap-up
    assert result["frt_avg_s"] == pytest.approx(12.5)
    assert result["frt_p90_s"] == pytest.approx(36.0)


def test_the_defaults_are_a_queue_view_in_exclude_short():
    result = compute(_components(offered=1, answered=1))
    assert result["sl_abandon_mode"] == "exclude_short"
    assert (result["handled"], result["occupancy"], result["logged_in_s"]) == (None, None, None)
    assert result["frt_p90_s"] is None  # no first responses: no percentile


def test_an_agent_view_from_the_exported_component_names():
    # in AGENT_COMPONENTS' order: 45 min handling, 15 min available, 1 h logged in; only those names are given
    c = {**dict.fromkeys(COUNT_COMPONENTS, 0), "answered": 3,
         **dict(zip(AGENT_COMPONENTS, (45 * 60_000, 15 * 60_000, 3_600_000)))}
    result = compute(c, agent=True)
    assert (result["handled"], result["occupancy"], result["logged_in_s"]) == (3, pytest.approx(0.75), 3600.0)


def test_abandon_rate_nps_and_nonfatal_accuracy():
    c = _components(offered=10, answered=7, abandoned=3, short_abandoned=1, nps_responses=10, nps_promoters=5,
                    nps_detractors=2, qa_evaluations=4, qa_nonfatal_sum=3, qa_opportunities_sum=60)
    result = compute(c)
    assert result["abandon_rate"] == pytest.approx(2 / 9)  # (3 abandoned - 1 short) / (10 offered - 1 short)
    assert result["nps"] == pytest.approx(30.0)  # 100 x (5 promoters - 2 detractors) / 10
    assert result["nonfatal_accuracy"] == pytest.approx(0.95)  # 1 - 3 non-fatal errors / 60 opportunities
