"""The largest numbers the event contract accepts are the largest the store's columns hold, on both engines.

A QA count above UInt32 or a sequence above Int64 once decoded and then failed the store's write: a
replay ended in a traceback, and a worker stopped on the message at every restart.  The contract now
bounds them (``core/events.py``): the bound itself is stored as sent, one above it is a dead letter.
"""

from __future__ import annotations

from pipeline.store.store import Store
from tests.fixtures.stores import ingest

UINT32_MAX = 4_294_967_295
INT64_MAX = 9_223_372_036_854_775_807


def _qa(event_id: str, count: int) -> dict:
    return {"type": "qa.evaluated", "event_id": event_id, "ts": "2026-11-02T01:00:00Z", "contact_id": "c1",
            "agent_id": "a1", "score": 90, "fatal_errors": count, "nonfatal_errors": count, "opportunities": count,
            "business_errors": count, "tariff_errors": count, "fraud_orders": count}


def _state(event_id: str, seq: int) -> dict:
    return {"type": "agent.state", "event_id": event_id, "ts": "2026-11-02T01:00:00Z", "agent_id": "a1",
            "state": "available", "seq": seq}


def test_the_largest_accepted_numbers_are_stored_and_one_more_is_a_dead_letter(store: Store) -> None:
    intake = ingest(store, [_qa("q1", UINT32_MAX), _qa("q2", UINT32_MAX + 1), _state("s1", INT64_MAX),
                            _state("s2", INT64_MAX + 1)])
    assert intake.counts.accepted == 2 and intake.counts.rejected == {"out_of_range": 2}
    qa = store.engine.query(f"SELECT event_id, fatal_errors, nonfatal_errors, opportunities, business_errors, "
                            f"tariff_errors, fraud_orders FROM {store.db}.qa_evaluations")
    assert qa["event_id"] == ["q1"]
    assert all(int(qa[column][0]) == UINT32_MAX for column in qa if column != "event_id")
    states = store.engine.query(f"SELECT event_id, seq FROM {store.db}.agent_states")
    assert states["event_id"] == ["s1"] and int(states["seq"][0]) == INT64_MAX
