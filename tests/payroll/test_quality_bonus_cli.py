"""``--policy quality-bonus`` on both engines: qa.evaluated's business, tariff and fraud counts reach the tier.

003: "良好:内部质检:诈单量总和≤3通(含诈单、业务差错、资费差错)且质检平均分≥90分。
移动质检:无诈单、无投诉、1通业务差错、无资费差错且质检平均分≥90分"
"""

from __future__ import annotations

import json

from pipeline.core.decode import Accepted, Rejected, decode
from tests.fixtures.events import event
from tests.fixtures.stores import ingest
from tests.payroll.events import OCT5


def _qa(eid: str, source: str, **counts: int) -> dict:
    return event("qa.evaluated", 3600, OCT5, event_id=eid, contact_id="c1", agent_id="a3", score=96.0,
                 fatal_errors=0, nonfatal_errors=0, opportunities=10, source=source, **counts)


def test_counts_by_source_decide_the_tier(run, store):
    # a3: internal 96 with 1 fraud + 1 business + 1 tariff = 3 <= 3; external 96 with 1 business error:
    # (96 + 96) / 2 = 96 but not 优秀 (errors found) -> 良好.  a3 worked no hours: paid 0, tier shown.
    ingest(store, [_qa("q-int", "internal", business_errors=1, tariff_errors=1, fraud_orders=1),
                   _qa("q-ext", "external", business_errors=1)])
    result = run("rollup", "--format", "json", policy="quality-bonus")
    assert result.exit_code == 0, result.output
    a3 = {row["agent_id"]: row for row in json.loads(result.stdout)["rows"]}["a3"]
    assert (a3["tier"], a3["qa_avg_combined"]) == ("良好", 96.0)
    assert [a3[k] for k in ("qa_internal_business", "qa_internal_tariff", "qa_internal_fraud",
                            "qa_external_business", "qa_external_tariff", "qa_external_fraud")] == [1, 1, 1, 1, 0, 0]
    ingest(store, [_qa("q-ext2", "external", tariff_errors=1)])  # one tariff error outside: no tier allows it
    rows = json.loads(run("rollup", "--format", "json", policy="quality-bonus").stdout)["rows"]
    assert {r["agent_id"]: r["tier"] for r in rows}["a3"] == "差"


def test_the_counts_default_to_zero_and_a_negative_one_is_rejected():
    decoded = decode(json.dumps(_qa("q1", "internal")).encode())
    assert isinstance(decoded, Accepted)
    assert (decoded.event.business_errors, decoded.event.tariff_errors, decoded.event.fraud_orders) == (0, 0, 0)
    rejected = decode(json.dumps(_qa("q2", "internal", tariff_errors=-1)).encode())
    assert isinstance(rejected, Rejected) and rejected.reason == "out_of_range" and "tariff_errors" in rejected.detail
