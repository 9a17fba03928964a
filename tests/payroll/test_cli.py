"""``cckpi payroll`` end to end on both engines: rollup, close, export, late, bad inputs."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from pipeline.payroll import examples
from pipeline.cli.main import cli
from tests.fixtures.events import event
from tests.fixtures.stores import ingest
from tests.payroll.events import OCT5

EXAMPLE = examples.POLICY


def test_rollup_prints_scorecards_and_warns_about_agents_not_in_the_roster(run):
    result = run("rollup")
    assert result.exit_code == 0, result.output
    assert "open: figures may still change" in result.output and "not fair: valid complaints 1 > 0" in result.output
    assert "warning: not in the roster (paid 0): a2" in result.output
    data = json.loads(run("rollup", "--format", "json").stdout)
    assert [r["agent_id"] for r in data["rows"]] == ["a1", "a2", "a3"] and data["closed"] is False


def test_close_export_late(run, store, tmp_path):
    closed = run("close")
    assert closed.exit_code == 0 and "closed 2026-10 at" in closed.stdout and "3 agents" in closed.stdout
    again = run("close")
    assert again.exit_code == 1 and "2026-10 is closed" in again.output and "payroll reopen" in again.output
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert run("export", "--out", str(first)).exit_code == 0
    assert run("export", "--out", str(second), "--format", "xlsx").exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    csv_out = tmp_path / "october.csv"
    assert run("export", "--out", str(csv_out)).exit_code == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbfname,team,tier,amount,adjustment,best_agent_bonus,payable,reasons,agent_id")
    assert "closed (checksum" in run("rollup").output

    assert "no late events for 2026-10" in run("late", inputs=False).output
    time.sleep(0.01)  # ingested strictly after the close instant
    ingest(store, [event("complaint.filed", 3600, OCT5, event_id="late-complaint", agent_id="a1", valid=True,
                              escalated=False)])
    listed = run("late", inputs=False)
    assert listed.exit_code == 0 and "late-complaint" in listed.output and "1 late events" in listed.output


def test_late_needs_a_closed_month(run):
    result = run("late", inputs=False)
    assert result.exit_code == 1 and "2026-10 is not closed" in result.output


def test_policy_with_a_wrong_key_is_one_clear_error(run, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("  required: 176", "  requried: 176"))
    result = run("rollup", policy=bad)
    assert result.exit_code == 1
    assert f"Error: {bad}: unknown key 'hours.requried'" in result.output


def test_bad_month_is_a_usage_error(run):
    result = CliRunner().invoke(cli, ["payroll", "rollup", "--month", "2026-13"])
    assert result.exit_code == 2 and "write YYYY-MM" in result.output
