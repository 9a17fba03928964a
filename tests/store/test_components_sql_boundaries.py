"""The component SQL's edges (``store/components_sql.py``, and the pre-aggregates' FCR window in
``store/reads.py``): one hand-worked contact exactly on each threshold and one just past it, on both engines.

The defaults (``pipeline/settings.py``): service-level threshold 30 s (answered or abandoned within it:
``<=``), short abandon under 5 s (``<``), chat first-response target 15 s (``<=``), FCR window 7 days (a
repeat at most 7 days later breaks FCR: ``<=``).  Times are seconds after 09:00 Shanghai, 2 November 2026.
"""

from __future__ import annotations

import pytest

from pipeline.core.intervals import parse_instant
from pipeline.report.build import ReportRequest
from pipeline.settings import QueueSettings, load_settings
from pipeline.store import report_reads
from pipeline.store.store import Store
from tests.fixtures.events import abandoned, answered, answered_call, event, offered
from tests.fixtures.stores import ingest, report

DAY = ("2026-11-02", "2026-11-03")
WEEK_DAYS = 86_400 * 7


def _abandons_around_the_sl_threshold() -> list[dict]:
    """a: answered after 10 s; b: abandoned after exactly 30 s; c: abandoned after 31 s."""
    return [*answered_call("a", 0, 10, 60, 10), offered("b", 100), abandoned("b", 130),
            offered("c", 200), abandoned("c", 231)]


@pytest.mark.parametrize(
    "mode, expected",
    [
        # 3 offered; within 30 s: a (answered) and b (abandoned at exactly 30 s), not c (31 s)
        ("ignore", 1 / 2),  # answered within / (3 offered - 1 abandoned within): b leaves the denominator
        ("count_as_met", 2 / 3),  # (1 answered within + 1 abandoned within) / 3 offered: b counts as met
    ],
)
def test_an_abandon_at_exactly_the_sl_threshold_is_within_it(store: Store, mode: str, expected: float) -> None:
    ingest(store, _abandons_around_the_sl_threshold())
    settings = load_settings(queues={"billing": QueueSettings(sl_abandon_mode=mode)})
    (row,) = report(store, *DAY, settings)
    assert (row["offered"], row["answered_within_sl"], row["abandoned"]) == (3, 1, 2)
    assert row["service_level"] == pytest.approx(expected)


def test_an_abandon_at_exactly_the_short_threshold_is_not_short(store: Store) -> None:
    # s1 abandons after exactly 5 s (not under 5 s: not short); s2 after 4 s (short)
    ingest(store, [offered("s1", 0), abandoned("s1", 5), offered("s2", 100), abandoned("s2", 104)])
    (row,) = report(store, *DAY)  # exclude_short, the default mode
    assert row["short_abandoned"] == 1
    assert row["abandon_rate"] == pytest.approx(1.0)  # (2 abandoned - 1 short) / (2 offered - 1 short)
    assert row["service_level"] == pytest.approx(0.0)  # 0 answered within / (2 offered - 1 short)


def test_a_first_response_at_exactly_the_target_is_within_it(store: Store) -> None:
    events = []
    # the first agent message 15 s after the offer (exactly the target) and 16 s after it
    for cid, first in (("c15", 15), ("c16", 16)):
        events += [offered(cid, 0, "webchat", "chat"), answered(cid, 1),
                   event("contact.message", first, contact_id=cid, sender="agent")]
    ingest(store, events)
    (row,) = report(store, *DAY)
    assert row["frt_within_target_rate"] == pytest.approx(1 / 2)  # c15 only
    assert row["frt_avg_s"] == pytest.approx(15.5)  # (15 + 16) / 2


def _repeats_around_the_fcr_window() -> list[dict]:
    """X calls again exactly 7 days after X1's offer (a repeat); Y 7 days and 1 ms after Y1's (not a repeat)."""
    return [
        *answered_call("X1", 0, 5, 60, 5, disposition="resolved", customer_key="X"),
        *answered_call("X2", WEEK_DAYS, 5, 60, 5, disposition="resolved", customer_key="X"),
        *answered_call("Y1", 100, 5, 60, 5, disposition="resolved", customer_key="Y"),
        *answered_call("Y2", 100 + WEEK_DAYS + 0.001, 5, 60, 5, disposition="resolved", customer_key="Y"),
    ]


def test_a_repeat_at_exactly_the_fcr_window_breaks_fcr_read_from_the_facts(store: Store) -> None:
    ingest(store, _repeats_around_the_fcr_window())
    settings = load_settings()
    request = ReportRequest(parse_instant(DAY[0], settings.zone), parse_instant(DAY[1], settings.zone))
    assert report_reads.pre_aggregate_table(request, settings) is None  # one day: the facts
    (row,) = report(store, *DAY)
    assert row["fcr_rate"] == pytest.approx(1 / 2)  # of X1 and Y1 (offered that day), only Y1: X1 has a repeat


def test_a_repeat_at_exactly_the_fcr_window_breaks_fcr_read_from_the_pre_aggregates(store: Store) -> None:
    ingest(store, _repeats_around_the_fcr_window())
    settings = load_settings()
    start, end = "2026-11-02", "2026-11-12"
    request = ReportRequest(parse_instant(start, settings.zone), parse_instant(end, settings.zone))
    assert report_reads.pre_aggregate_table(request, settings) == "queue_intervals"
    (row,) = report(store, start, end)
    assert row["fcr_rate"] == pytest.approx(3 / 4)  # X2, Y1, Y2 of X1, X2, Y1, Y2: X1's repeat is within 7 days
