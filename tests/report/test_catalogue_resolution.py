"""Issue 22's catalogue figures on hand-worked cases, through the store (chDB and, integration run, ClickHouse).

``answer_rate`` = answered / offered; ``resolution_rate`` = resolved / answered contacts with a disposition
(000 问题解决率, 001 Resolution Rate); FCR without escalated contacts where a queue says so (002:
首次解決客戶問題的比例≥85%(重複咨詢、需跨部門協作的問題除外)); CSAT on 1-5, 0-100 and 3-option scales with
the queue's satisfied cut-off.  Every expectation is worked by hand in the comment above it.
"""

from __future__ import annotations

import pytest

from pipeline.settings import QueueSettings, load_settings
from tests.fixtures.events import abandoned, answered_call, event, offered
from tests.fixtures.stores import ingest, report

DAY = ("2026-11-02", "2026-11-03")
TWO_DAYS = ("2026-11-02", "2026-11-04")
ONE_DAY_S = 86_400


def dispositions() -> list[dict]:
    """Six answered contacts and one abandoned (after 20 s, not short), in billing.

    R1 resolved (customer A), R2 resolved (B) and R3 resolved (B again one day later: R2's repeat),
    U unresolved (C), E escalated (D), N no disposition (F).
    """
    return [
        *answered_call("R1", 0, 5, 60, 5, disposition="resolved", customer_key="A"),
        *answered_call("R2", 100, 5, 60, 5, disposition="resolved", customer_key="B"),
        *answered_call("R3", ONE_DAY_S, 5, 60, 5, disposition="resolved", customer_key="B"),
        *answered_call("U", 200, 5, 60, 5, disposition="unresolved", customer_key="C"),
        *answered_call("E", 300, 5, 60, 5, disposition="escalated", customer_key="D"),
        *answered_call("N", 400, 5, 60, 5, customer_key="F"),
        offered("AB", 500), abandoned("AB", 520),
    ]


def test_answer_rate_is_answered_over_offered_short_abandons_included(store):
    # 10 offered, 7 answered (waits 5..45 s), 3 abandoned after 3 s (short), 20 s and 60 s
    events = []
    for i, wait in enumerate([5, 10, 20, 30, 30, 0, 45]):
        events += answered_call(f"ans{i}", i * 100, wait, 60, 10)
    for i, wait in enumerate([3, 20, 60]):
        events += [offered(f"ab{i}", 1000 + i * 100), abandoned(f"ab{i}", 1000 + i * 100 + wait)]
    ingest(store, events)
    (row,) = report(store, *DAY)
    assert row["answer_rate"] == pytest.approx(7 / 10)  # the 3 s abandon counts against it too: 7 / 10, not 7 / 9


def test_resolution_rate_counts_every_disposed_contact_and_no_repeat_window(store):
    ingest(store, dispositions())
    (row,) = report(store, *TWO_DAYS)
    # disposed: R1 R2 R3 U E = 5 (N has none); resolved: R1 R2 R3 = 3 -> 3/5 (R2's repeat does not matter here)
    assert row["resolution_rate"] == pytest.approx(3 / 5)
    # FCR: resolved with no repeat within 7 days: R1, R3 (R2 repeated by R3) = 2 of the same 5
    assert row["fcr_rate"] == pytest.approx(2 / 5)
    # answer rate: 6 answered of 7 offered
    assert row["answer_rate"] == pytest.approx(6 / 7)


def test_escalated_contacts_leave_fcr_where_the_queue_excludes_them(store):
    ingest(store, dispositions())
    settings = load_settings(queues={"billing": QueueSettings(fcr_exclude_escalated=True)})
    (row,) = report(store, *TWO_DAYS, settings)
    assert row["fcr_rate"] == pytest.approx(2 / 4)  # R1, R3 of R1 R2 R3 U (E excluded)
    assert row["resolution_rate"] == pytest.approx(3 / 5)  # unchanged: the exclusion is FCR's alone
    other = load_settings(queues={"sales": QueueSettings(fcr_exclude_escalated=True)})
    (row,) = report(store, *TWO_DAYS, other)
    assert row["fcr_rate"] == pytest.approx(2 / 5)  # another queue's setting changes nothing in billing


def test_only_escalated_contacts_with_the_exclusion_make_fcr_null(store):
    ingest(store, [*answered_call("E1", 0, 5, 60, 5, disposition="escalated", customer_key="Q")])
    settings = load_settings(queues={"billing": QueueSettings(fcr_exclude_escalated=True)})
    (row,) = report(store, *DAY, settings)
    assert row["fcr_rate"] is None  # 0 / 0 once E1 is excluded
    assert row["resolution_rate"] == 0.0  # 0 resolved / 1 disposed


def test_zero_denominators_are_null(store):
    ingest(store, [offered("w", 0), *answered_call("n", 10, 5, 60, 5)])  # one waiting, one without disposition
    (row,) = report(store, *DAY)
    assert row["resolution_rate"] is None  # no disposed contact
    assert row["answer_rate"] == pytest.approx(1 / 2)  # the waiting one is offered, not answered


def surveys(cid: str, queue: str, t: float, scale: str, score: int) -> list[dict]:
    return [*answered_call(cid, t, 5, 60, 5, queue=queue),
            event("survey.csat", t + 200, contact_id=cid, score=score, scale=scale)]


def test_csat_on_a_100_point_scale_with_the_default_and_a_set_cut_off(store):
    events = [e for i, score in enumerate((100, 80, 79, 0)) for e in surveys(f"h{i}", "billing", i * 10, "0-100", score)]
    ingest(store, events)
    settings = load_settings(queues={"billing": QueueSettings(csat_scale="0-100")})
    (row,) = report(store, *DAY, settings)
    assert row["csat_top2box"] == pytest.approx(2 / 4)  # 100 and 80 reach the default 80; 79 and 0 do not
    assert row["csat_avg"] == pytest.approx(259 / 4)  # (100 + 80 + 79 + 0) / 4 = 64.75
    assert row["csat_scale"] == "0-100"
    lower = load_settings(queues={"billing": QueueSettings(csat_scale="0-100", csat_satisfied_min=70)})
    (row,) = report(store, *DAY, lower)
    assert row["csat_top2box"] == pytest.approx(3 / 4)  # 100, 80, 79 reach 70


def test_csat_on_three_options_and_a_mixed_total(store):
    three = [e for i, score in enumerate((3, 2, 1, 3)) for e in surveys(f"t{i}", "sales", i * 10, "3-option", score)]
    hundred = [e for i, score in enumerate((100, 80, 79, 0)) for e in surveys(f"h{i}", "billing", i * 10, "0-100",
                                                                              score)]
    ingest(store, three + hundred)
    settings = load_settings(queues={"billing": QueueSettings(csat_scale="0-100"),
                                     "sales": QueueSettings(csat_scale="3-option")})
    rows = {r["queue"]: r for r in report(store, *DAY, settings)}
    assert rows["sales"]["csat_top2box"] == pytest.approx(2 / 4)  # 满意 (3) twice of 4
    assert rows["sales"]["csat_avg"] == pytest.approx(9 / 4)  # (3 + 2 + 1 + 3) / 4
    (total,) = report(store, *DAY, settings, by=())
    # two scales: no mean of points of different scales; the satisfied share, each against its own cut-off, is
    # (2 + 2) / 8
    assert total["csat_scale"] == "mixed" and total["csat_avg"] is None
    assert total["csat_top2box"] == pytest.approx(4 / 8)


def test_csat_on_1_to_5_keeps_the_top_two_boxes_unless_the_cut_off_moves(store):
    ingest(store, [e for i, score in enumerate((5, 4, 3)) for e in surveys(f"f{i}", "billing", i * 10, "1-5", score)])
    (row,) = report(store, *DAY)
    assert row["csat_top2box"] == pytest.approx(2 / 3)  # 5 and 4: section 3's top-2 box
    strict = load_settings(queues={"billing": QueueSettings(csat_satisfied_min=5)})
    (row,) = report(store, *DAY, strict)
    assert row["csat_top2box"] == pytest.approx(1 / 3)  # only the 5
