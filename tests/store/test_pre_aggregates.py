"""Reports from the pre-aggregates (``queue_intervals``, ``agent_intervals``) equal reports from the facts.

Three simulated days (repeat contacts, dispositions, chat FRT, abandon
reasons) plus hand-made contacts with a time conflict and each abandon reason,
written in two batches so that the second rebuilds intervals of the first;
every grouping of ``cckpi report`` over the whole range is computed both ways
and must be equal in every key, FCR and the FRT p90 included.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pipeline.core.intervals import parse_instant
from pipeline.report import build
from pipeline.report.build import ReportRequest
from pipeline.settings import load_settings
from pipeline.simulate.config import SimulationConfig
from pipeline.simulate.engine import generate
from pipeline.store import reads, report_reads
from pipeline.store.store import Store
from tests.fixtures.events import abandoned, answered, event, offered
from tests.fixtures.stores import ingest

# billing also leaves escalated contacts out of FCR and counts only 5s as satisfied (issue 22's queue options)
BILLING = {"sl_threshold_s": 20, "fcr_window_days": 1, "fcr_exclude_escalated": True, "csat_satisfied_min": 5}
SETTINGS = load_settings(tz="Asia/Shanghai", queues={"billing": BILLING})
START, END = "2026-11-01", "2026-11-06"
GROUPINGS: list[dict[str, Any]] = [
    {"by": ("queue",)}, {"by": ("agent",)}, {"by": ("channel",)}, {"by": ()},
    {"by": ("queue", "interval"), "interval": "30m"}, {"by": ("agent", "interval"), "interval": "1d"},
    {"by": ("queue",), "queues": ("billing",)}, {"by": ("queue",), "direction": "outbound"},
    {"by": ("agent", "interval"), "interval": "1h"},  # not daily: from agent_intervals
    {"by": ("agent",), "start": "2026-11-01T12:15"},  # not on a day boundary: from agent_intervals
]


@pytest.fixture
def month_store(store: Store) -> Store:
    events = list(generate(SimulationConfig(contacts=1800, days=3, seed=13, tz="Asia/Shanghai",
                                            start=date(2026, 11, 2))))
    half = len(events) // 2
    odd = [offered("tc", 100), answered("tc", 50),  # answered before offered: a time conflict
           *(e for i, reason in enumerate(("timeout", "empty", "key")) for e in
             (offered(f"ab-{reason}", 200 + i), event("contact.abandoned", 230 + i, contact_id=f"ab-{reason}",
                                                       reason=reason))),
           offered("ab-plain", 300), abandoned("ab-plain", 320)]
    for batch in (events[:half], events[half:] + odd):  # the second finishes contacts of the first: rebuilds
        ingest(store, batch, SETTINGS)
    return store


@pytest.mark.parametrize("grouping", GROUPINGS, ids=lambda g: ",".join(g["by"]) + str(g.get("interval", "")))
def test_every_grouping_equals_the_facts(month_store: Store, grouping: dict[str, Any],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    grouping = dict(grouping)
    start = parse_instant(grouping.pop("start", START), SETTINGS.zone)
    request = ReportRequest(start, parse_instant(END, SETTINGS.zone), **grouping)
    table = report_reads.pre_aggregate_table(request, SETTINGS)
    daily = "agent" in request.by and start % 3_600_000 == 0 and request.interval == "1d"
    assert table == ("agent_days" if daily else "agent_intervals" if "agent" in request.by else "queue_intervals")
    assert reads.intervals_current(month_store, SETTINGS, table, request.start_ms, request.end_ms)
    pre = build.build(month_store, request, SETTINGS)
    monkeypatch.setattr(report_reads, "pre_aggregate_table", lambda _request, _settings: None)
    facts = build.build(month_store, request, SETTINGS)
    assert pre.rows == facts.rows
    assert pre.total == facts.total
    assert pre.rows, "no rows: the comparison checked nothing"
    if not request.by:
        (row,) = pre.rows
        assert row["fcr_rate"] is not None and row["frt_p90_s"] is not None and row["time_conflicts"] == 1
        assert row["abandoned_by_reason"]["timeout"] == 1
        assert row["resolution_rate"] is not None and row["answer_rate"] is not None


def test_rows_built_with_other_thresholds_are_not_read(month_store: Store) -> None:
    request = ReportRequest(parse_instant(START, SETTINGS.zone), parse_instant(END, SETTINGS.zone), by=("queue",))
    changed = load_settings(tz="Asia/Shanghai", queues={"billing": {**BILLING, "sl_threshold_s": 40}})
    assert not reads.intervals_current(month_store, changed, "queue_intervals", request.start_ms, request.end_ms)
    # so the report reads the facts with the new threshold; a changed FCR window alone needs no rebuild
    assert build.build(month_store, request, changed).rows != build.build(month_store, request, SETTINGS).rows
    window = load_settings(tz="Asia/Shanghai", queues={"billing": {**BILLING, "fcr_window_days": 3}})
    assert reads.intervals_current(month_store, window, "queue_intervals", request.start_ms, request.end_ms)


@pytest.mark.parametrize("change", [{"fcr_exclude_escalated": False}, {"csat_satisfied_min": 4},
                                    {"csat_scale": "0-100", "csat_satisfied_min": None}])
def test_rows_built_with_another_fcr_exclusion_or_csat_cut_off_are_not_read(month_store: Store,
                                                                           change: dict[str, Any]) -> None:
    request = ReportRequest(parse_instant(START, SETTINGS.zone), parse_instant(END, SETTINGS.zone), by=("queue",))
    changed = load_settings(tz="Asia/Shanghai", queues={"billing": {**BILLING, **change}})
    assert not reads.intervals_current(month_store, changed, "queue_intervals", request.start_ms, request.end_ms)
    old = {r["queue"]: r for r in build.build(month_store, request, SETTINGS).rows}["billing"]
    new = {r["queue"]: r for r in build.build(month_store, request, changed).rows}["billing"]
    assert (old["fcr_rate"], old["csat_top2box"]) != (new["fcr_rate"], new["csat_top2box"])
