"""The roster file: CSV and YAML, and errors that name the row and the key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.payroll import examples
from pipeline.payroll.roster import RosterEntry, RosterError, load_roster, parse_roster

CSV = "agent_id,name,team,hire_date,leave_date,fraud_orders\na1,Li Na,blue,2026-10-10,,\na2,Wu Bo,red,2025-01-02,2026-10-20,2\n"


def test_csv_roster():
    roster = parse_roster(CSV)
    assert roster["a1"] == RosterEntry("a1", "Li Na", "blue", date(2026, 10, 10))
    assert roster["a2"].leave_date == date(2026, 10, 20) and roster["a2"].fraud_orders == 2


def test_yaml_roster(tmp_path: Path):
    path = tmp_path / "roster.yaml"
    path.write_text("- {agent_id: a1, name: Li Na, team: blue, hire_date: 2026-10-10}\n")
    roster, text = load_roster(path)
    assert roster["a1"].hire_date == date(2026, 10, 10) and text.startswith("- {agent_id")


@pytest.mark.parametrize("text, message", [
    ("agent_id,name,team,hire_date,shift\na1,Li,blue,2026-10-10,x\n", "roster row 2: unknown key 'shift'"),
    ("agent_id,name,team,hire_date\na1,Li,blue,10/10/2026\n", "roster row 2: hire_date '10/10/2026' is not a date"),
    ("agent_id,name,team,hire_date\na1,Li,blue,\n", "roster row 2: hire_date is missing"),
    ("agent_id,name,team,hire_date\na1,Li,blue,2026-10-10\na1,Li,blue,2026-10-10\n", "row 3: agent 'a1' is listed twice"),
])
def test_roster_errors_name_row_and_key(text, message):
    with pytest.raises(RosterError, match=message):
        parse_roster(text)


def test_example_roster_loads():
    roster, _ = load_roster(examples.ROSTER)
    assert len(roster) == 23 and roster["billing-006"].hire_date == date(2026, 10, 11)
