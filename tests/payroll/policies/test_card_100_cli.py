"""``--policy card-100`` end to end on both engines: CSAT from survey events, QA tariff errors, monthly inputs.

003: "满意率高于90%的,得10分" (read >= 90 % of top-2-box answers); "问题处理出现失误,扣除5分".
"""

from __future__ import annotations

import json

from tests.fixtures.events import event
from tests.fixtures.stores import ingest
from tests.payroll.events import OCT5

HEADER = ("agent_id,hours_over_limit,business_errors,compliance_breaches,tasks_late,overtime_refused,late_or_early,"
          "knowledge_test_score,initiative_poor,peer_rating_poor,joint_solving_poor,sharing_none\n")


def test_card_100_from_events_and_inputs(run, store, tmp_path):
    # a1's October contacts c1, c2, c3: surveys 5, 4, 5 -> 3 of 3 satisfied (>= 4) = 100 % >= 90 %: 10
    ingest(store, [event("survey.csat", 7200, OCT5, event_id=f"s-{cid}", contact_id=cid, score=score)
                   for cid, score in (("c1", 5), ("c2", 4), ("c3", 5))])
    # one carrier-QA tariff error on c3
    ingest(store, [event("qa.evaluated", 3600, OCT5, event_id="q-tariff", contact_id="c3", agent_id="a1",
                         score=90.0, fatal_errors=0, nonfatal_errors=0, opportunities=10, source="external",
                         tariff_errors=1)])
    inputs = tmp_path / "inputs.csv"
    inputs.write_text(HEADER + "a1,1,1,0,2,0,0,89.5,0,1,0,0\n")
    assert run("inputs", str(inputs), policy="card-100").exit_code == 0
    result = run("rollup", "--format", "json", policy="card-100")
    assert result.exit_code == 0, result.output
    rows = {row["agent_id"]: row for row in json.loads(result.stdout)["rows"]}
    a1, a3 = rows["a1"], rows["a3"]
    # csat 10; speed 10 - 5 = 5; accuracy: 1 QA tariff error + 1 reported = 2 -> 0; compliance 10;
    # tasks 15 - 10 = 5; knowledge 89.5 < 90 -> 5; overtime 5; attendance 5; initiative 5; peer flagged 0;
    # joint 5; sharing 5 -> 10 + 5 + 0 + 10 + 5 + 5 + 5 + 5 + 5 + 0 + 5 + 5 = 60
    assert [a1[f"c100_{k}"] for k in ("csat", "speed", "accuracy", "compliance", "tasks", "knowledge", "overtime",
                                       "attendance", "initiative", "peer", "joint", "sharing", "total")] == \
        ["10", "5", "0", "10", "5", "5", "5", "5", "5", "0", "5", "5", "60"]
    assert "c100_accuracy: 10 - 5 x 2 (errors) = 0" in a1["card_reasons"]
    # a3: no surveys (csat 0), no knowledge score (0), nothing else: 95 - 10 - 10 = 75
    assert (a3["c100_csat"], a3["c100_knowledge"], a3["c100_total"]) == ("0", "0", "75")
