"""Penalty deductions and manual bonus lines (003 "严重警告,并进行扣款"): imported, audited, frozen by the close.

With tests/payroll/events.py's October and the example policy: a1 has a valid complaint (poor, 0.00) and
a3 was hired on the 10th with no hours (0.00), so payable = the lines alone.
"""

from __future__ import annotations

import json

import pytest

from pipeline.payroll.inputs import InputsError
from pipeline.payroll.manual_lines import parse_lines
from pipeline.payroll.roster import parse_roster
from tests.payroll.events import ROSTER_CSV

ROSTER = parse_roster(ROSTER_CSV)
HEADER = "agent_id,kind,amount,reason\n"


def _rows(result) -> dict[str, dict]:
    assert result.exit_code == 0, result.output
    return {row["agent_id"]: row for row in json.loads(result.stdout)["rows"]}


def test_lines_reach_payable_with_their_reasons_and_are_frozen(run, tmp_path):
    lines = tmp_path / "lines.csv"
    lines.write_text(HEADER + "a1,penalty,50,cheating on 12 Oct (严重警告)\na1,bonus,20.5,mentoring\n"
                     "a3,bonus,100,launch week\n")
    imported = run("lines", str(lines))
    assert imported.exit_code == 0 and "imported 3 penalty and bonus lines" in imported.output
    rows = _rows(run("rollup", "--format", "json"))
    # a1: 0.00 + (-50 + 20.50) = -29.50; a3: 0.00 + 100 = 100.00
    assert (rows["a1"]["manual_total"], rows["a1"]["payable"]) == ("-29.50", "-29.50")
    assert rows["a1"]["manual_lines"] == ["penalty -50.00: cheating on 12 Oct (严重警告)", "bonus 20.50: mentoring"]
    assert (rows["a3"]["manual_total"], rows["a3"]["payable"]) == ("100.00", "100.00")
    history = json.loads(run("history", "--format", "json", inputs=False).stdout)
    assert [(v["action"], v["reason"]) for v in history] == [("lines", "imported lines.csv")]
    assert run("close").exit_code == 0
    frozen = _rows(run("rollup", "--format", "json"))
    assert frozen["a1"]["payable"] == "-29.50" and frozen["a3"]["manual_total"] == "100.00"
    refused = run("lines", str(lines))
    assert refused.exit_code == 1 and "2026-10 is closed; reopen it" in refused.output


@pytest.mark.parametrize(("text", "message"), [
    (HEADER + "a1,fine,10,late\n", "row 2, column kind: 'fine'; write penalty or bonus"),
    (HEADER + "a1,penalty,-10,late\n", "row 2, column amount: '-10' is not an amount > 0"),
    (HEADER + "a1,penalty,10,\n", "row 2, column reason: every line needs its reason"),
    (HEADER + "x9,bonus,10,why\n", "row 2, column agent_id: agent 'x9' is not in the roster"),
    ("agent_id,amount,reason\na1,10,x\n", "write agent_id,kind,amount,reason"),
])
def test_bad_lines_name_the_row_and_column(text, message):
    with pytest.raises(InputsError, match=None) as error:
        parse_lines(text, "lines.csv", ROSTER)
    assert message in str(error.value)
