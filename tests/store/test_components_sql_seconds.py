"""The component SQL turns each threshold in seconds into exactly that many thousand milliseconds
(``store/components_sql.py``: ``_per_queue(..., 1000)``): a contact one millisecond past a threshold is past it.

``test_components_sql_boundaries.py`` puts contacts exactly on each threshold and a whole second past it; a
scale of 1001 ms to the second (30 s -> 30.03 s) passes those, so here each contact is 1 ms past.  Defaults
(``pipeline/settings.py``): service level 30 s, short abandon under 5 s, chat first response 15 s, and the
``exclude_short`` mode.  Times are seconds after 09:00 Shanghai, 2 November 2026.
"""

from __future__ import annotations

import pytest

from pipeline.store.store import Store
from tests.fixtures.events import abandoned, answered, answered_call, event, offered
from tests.fixtures.stores import ingest, report

DAY = ("2026-11-02", "2026-11-03")


def test_a_contact_one_millisecond_past_each_threshold_is_past_it(store: Store) -> None:
    ingest(store, [
        # p1: a call answered 30.001 s after its offer: not within the 30 s service level
        *answered_call("p1", 0, 30.001, 60, 5),
        # p2: abandoned after 5.001 s: not a short abandon (under 5 s); abandoned within 30 s
        offered("p2", 100), abandoned("p2", 105.001),
        # p3 (queue webchat): a chat answered after 1 s, its first agent message 15.001 s after the offer
        offered("p3", 200, "webchat", "chat"), answered("p3", 201),
        event("contact.message", 215.001, contact_id="p3", sender="agent"),
    ])
    rows = {row["queue"]: row for row in report(store, *DAY)}
    billing, webchat = rows["billing"], rows["webchat"]
    assert (billing["offered"], billing["short_abandoned"], billing["answered_within_sl"]) == (2, 0, 0)
    # exclude_short: answered within / (offered - short abandons) = 0 / (2 - 0); p2 stays in the denominator
    assert billing["service_level"] == pytest.approx(0.0)
    assert billing["abandon_rate"] == pytest.approx(1 / 2)  # (1 abandoned - 0 short) / (2 offered - 0 short)
    assert webchat["frt_within_target_rate"] == pytest.approx(0.0)  # 15.001 s > 15 s
    assert webchat["frt_avg_s"] == pytest.approx(15.001)
