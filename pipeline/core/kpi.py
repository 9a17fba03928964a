"""The metric catalogue (docs/design.md section 3): ratios from additive components.

Stores and streams keep only the additive components below; every ratio is
computed here, at read time, by one function, so a report, a wallboard gauge
and a payroll rollup can never disagree about a formula.  A ratio whose
denominator is 0 is None (JSON ``null``), never 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

# Additive components, in the order the store and the reports use them.
COUNT_COMPONENTS: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "abandoned_customer",
    "abandoned_timeout",
    "abandoned_empty",
    "abandoned_key",
    "time_conflicts",
    "short_abandoned",
    "answered_within_sl",
    "abandoned_within_sl",
    "waiting",
    "sl_numerator",
    "sl_denominator",
    "wait_answered_sum_ms",
    "aht_contacts",
    "handle_sum_ms",
    "talk_sum_ms",
    "hold_sum_ms",
    "acw_sum_ms",
    "frt_contacts",
    "frt_sum_ms",
    "frt_within_target",
    "transferred",
    "fcr_resolved",
    "fcr_with_disposition",
    "resolved",
    "disposed",
    "csat_responses",
    "csat_sum",
    "csat_top2",
    "nps_responses",
    "nps_promoters",
    "nps_detractors",
    "complaints_valid",
    "complaints_escalated",
    "qa_evaluations",
    "qa_score_sum",
    "qa_fatal_evaluations",
    "qa_nonfatal_sum",
    "qa_opportunities_sum",
)
AGENT_COMPONENTS: tuple[str, ...] = ("handle_state_ms", "available_ms", "logged_in_ms")

METRIC_KEYS: tuple[str, ...] = (
    "offered",
    "answered",
    "abandoned",
    "abandoned_by_reason",
    "short_abandoned",
    "answered_within_sl",
    "service_level",
    "sl_abandon_mode",
    "abandon_rate",
    "answer_rate",
    "asa_s",
    "aht_s",
    "avg_talk_s",
    "avg_hold_s",
    "avg_acw_s",
    "acw_share",
    "frt_avg_s",
    "frt_p90_s",
    "frt_within_target_rate",
    "transfer_rate",
    "fcr_rate",
    "resolution_rate",
    "csat_avg",
    "csat_top2box",
    "csat_responses",
    "csat_scale",
    "nps",
    "complaint_rate",
    "escalated_complaint_rate",
    "qa_avg",
    "fatal_error_share",
    "nonfatal_accuracy",
    "waiting",
    "handled",
    "occupancy",
    "logged_in_s",
    "time_conflicts",
)
# why contacts were abandoned (``contact.abandoned`` ``reason``); each is the component ``abandoned_<reason>``
ABANDON_REASONS: tuple[str, ...] = ("customer", "timeout", "empty", "key")


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    return None if not denominator else numerator / denominator


def _seconds(sum_ms: float, count: float) -> float | None:
    mean = ratio(sum_ms, count)
    return None if mean is None else mean / 1000.0


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default, Excel PERCENTILE.INC).

    Chosen because it is what a spreadsheet or numpy user checking our figures
    computes; None for no values.  Only the two ranks around the position are
    needed: a large list (a month's chat first responses, millions at a large
    centre) has them selected by numpy (``partition``) rather than sorted
    whole, with the same arithmetic on the same two values after.
    """
    count = len(values)
    if not count:
        return None
    position = (count - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, count - 1)
    if count < _SELECT_FROM:
        ordered = sorted(values)
        low, high = ordered[lower], ordered[upper]
    else:
        import numpy as np

        chosen = np.partition(np.asarray(values), (lower, upper))
        low, high = chosen[lower].item(), chosen[upper].item()
    return low + (high - low) * (position - lower)


_SELECT_FROM = 10_000


def compute(
    c: Mapping[str, float],
    *,
    frt_values_ms: Sequence[float] = (),
    sl_abandon_mode: str = "exclude_short",
    csat_scale: str = "1-5",
    agent: bool = False,
) -> dict[str, Any]:
    """Every catalogue key from one group's components.

    ``sl_numerator``/``sl_denominator`` are already mode-aware per contact (each
    contact counted by its own queue's ``sl_abandon_mode``), so groups that mix
    queues stay exact; ``sl_abandon_mode`` names the mode, or ``mixed``.
    ``csat_scale`` names the CSAT scale of the group's queues, or ``mixed``:
    then the mean score would average points of different scales and is None,
    while the satisfied share (``csat_top2box``, each survey against its own
    queue's cut-off) stays exact.
    """
    p90 = percentile(frt_values_ms, 0.9)
    answered = c["answered"]
    result: dict[str, Any] = {
        "offered": int(c["offered"]),
        "answered": int(answered),
        "abandoned": int(c["abandoned"]),
        "abandoned_by_reason": {r: int(c[f"abandoned_{r}"]) for r in ABANDON_REASONS},
        "short_abandoned": int(c["short_abandoned"]),
        "answered_within_sl": int(c["answered_within_sl"]),
        "service_level": ratio(c["sl_numerator"], c["sl_denominator"]),
        "sl_abandon_mode": sl_abandon_mode,
        "abandon_rate": ratio(c["abandoned"] - c["short_abandoned"], c["offered"] - c["short_abandoned"]),
        # answered / offered as written (003 接通率, 002): short abandons count against it, no threshold
        "answer_rate": ratio(answered, c["offered"]),
        "asa_s": _seconds(c["wait_answered_sum_ms"], answered),
        "aht_s": _seconds(c["handle_sum_ms"], c["aht_contacts"]),
        "avg_talk_s": _seconds(c["talk_sum_ms"], c["aht_contacts"]),
        "avg_hold_s": _seconds(c["hold_sum_ms"], c["aht_contacts"]),
        "avg_acw_s": _seconds(c["acw_sum_ms"], c["aht_contacts"]),
        "acw_share": ratio(c["acw_sum_ms"], c["handle_sum_ms"]),
        "frt_avg_s": _seconds(c["frt_sum_ms"], c["frt_contacts"]),
        "frt_p90_s": None if p90 is None else p90 / 1000.0,
        "frt_within_target_rate": ratio(c["frt_within_target"], c["frt_contacts"]),
        "transfer_rate": ratio(c["transferred"], answered),
        "fcr_rate": ratio(c["fcr_resolved"], c["fcr_with_disposition"]),
        # resolved / answered contacts with a disposition (escalated and unresolved ones are not resolved);
        # the choice: the agent's wrap-up is the only resolution record, as for FCR without its repeat test
        "resolution_rate": ratio(c["resolved"], c["disposed"]),
        "csat_avg": None if csat_scale == "mixed" else ratio(c["csat_sum"], c["csat_responses"]),
        "csat_top2box": ratio(c["csat_top2"], c["csat_responses"]),
        "csat_responses": int(c["csat_responses"]),
        "csat_scale": csat_scale,
        "nps": _nps(c),
        "complaint_rate": ratio(c["complaints_valid"], answered),
        "escalated_complaint_rate": ratio(c["complaints_escalated"], answered),
        "qa_avg": ratio(c["qa_score_sum"], c["qa_evaluations"]),
        "fatal_error_share": ratio(c["qa_fatal_evaluations"], c["qa_evaluations"]),
        "nonfatal_accuracy": _nonfatal_accuracy(c),
        "waiting": int(c["waiting"]),
        "handled": int(answered) if agent else None,
        "occupancy": ratio(c["handle_state_ms"], c["handle_state_ms"] + c["available_ms"]) if agent else None,
        "logged_in_s": c["logged_in_ms"] / 1000.0 if agent else None,
        "time_conflicts": int(c["time_conflicts"]),
    }
    return result


def _nps(c: Mapping[str, float]) -> float | None:
    share = ratio(c["nps_promoters"] - c["nps_detractors"], c["nps_responses"])
    return None if share is None else 100.0 * share


def _nonfatal_accuracy(c: Mapping[str, float]) -> float | None:
    share = ratio(c["qa_nonfatal_sum"], c["qa_opportunities_sum"])
    return None if share is None else 1.0 - share
