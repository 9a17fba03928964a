"""The guarded, reversible, audited month end through ``cckpi payroll`` (both engines).

Hand-worked with tests/payroll/events.py and its SIMPLE_POLICY: in October a1
(one valid complaint) is poor (0.00), a2 is not in the roster (0.00) and a3 is
good (200.00); in November a1 (c6) and a3 are good (200.00 each).
"""

from __future__ import annotations

import json
import time

import pytest

from tests.fixtures.stores import ingest
from tests.payroll.events import SIMPLE_POLICY, late_complaint_for_a3


@pytest.fixture
def simple(run, tmp_path, monkeypatch):
    monkeypatch.setenv("CCKPI_PAYROLL__CLOSE_GRACE_DAYS", "0")  # November ended 2026-12-01 00:00 +08:00
    monkeypatch.setenv("CCKPI_LANG", "en")  # Asia/Shanghai would default to zh-CN
    policy = tmp_path / "simple.yaml"
    policy.write_text(SIMPLE_POLICY)

    def invoke(command: str, *args: str, **kwargs):
        kwargs.setdefault("policy", policy)
        return run(command, *args, **kwargs)

    return invoke


def one_error_line(result, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_close_refuses_without_roster_example_policy_or_before_the_month_and_grace_end(simple, run, monkeypatch):
    no_roster = run("close", inputs=False)
    assert "close needs --roster FILE" in one_error_line(no_roster)
    implicit_example = run("close", policy=None)
    assert "close needs --policy FILE" in one_error_line(implicit_example)
    monkeypatch.delenv("CCKPI_PAYROLL__CLOSE_GRACE_DAYS")  # the default: 3 days
    future = simple("close", month="2099-01")
    assert "2099-01 cannot be closed before 2099-02-04T00:00+08:00" in one_error_line(future)
    monkeypatch.setenv("CCKPI_PAYROLL__CLOSE_GRACE_DAYS", "365000")
    in_grace = simple("close")
    assert "grace for late events" in one_error_line(in_grace) and "payroll.close_grace_days" in in_grace.output
    assert json.loads(simple("history", "--format", "json", inputs=False).stdout) == []  # nothing was written


def test_dry_run_prints_what_would_be_frozen_and_writes_nothing(simple, monkeypatch):
    dry = simple("close", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would freeze 3 agents" in dry.output and "bonus total: 200.00" in dry.output
    assert "dry run: nothing written" in dry.output
    monkeypatch.setenv("CCKPI_LANG", "zh-CN")
    assert "奖金合计: 200.00" in simple("close", "--dry-run").output
    assert json.loads(simple("rollup", "--format", "json").stdout)["closed"] is False
    assert simple("history", inputs=False).output.strip() == "2026-10 has never been closed"


def test_close_reopen_close_keeps_every_version(simple):
    assert simple("close", "--by", "alice").exit_code == 0
    reopened = simple("reopen", "--reason", "QA of week 44 was missing", "--by", "bob", inputs=False)
    assert reopened.exit_code == 0 and "reopened 2026-10 (version 2, by bob)" in reopened.output
    assert json.loads(simple("rollup", "--format", "json").stdout)["closed"] is False
    assert simple("close", "--by", "carol").exit_code == 0
    versions = json.loads(simple("history", "--format", "json", inputs=False).stdout)
    assert [(v["version"], v["action"], v["who"], v["reason"]) for v in versions] == [
        (1, "close", "alice", ""), (2, "reopen", "bob", "QA of week 44 was missing"), (3, "close", "carol", "")]
    assert versions[0]["totals"] == {"agents": 3, "bonus_total": "200.00", "adjustments_total": "0.00",
                                     "payable_total": "200.00"}
    assert versions[0]["inputs_sha256"] == versions[2]["inputs_sha256"]  # same data, same policy and roster
    assert len({v["policy_sha256"] for v in versions}) == 1 and len(versions[0]["roster_sha256"]) == 64
    assert versions[0]["at_ms"] < versions[1]["at_ms"] < versions[2]["at_ms"]
    table = simple("history", inputs=False).output
    assert "alice" in table and "QA of week 44" in table


def test_reopen_needs_a_closed_month_and_a_reason(simple):
    assert "2026-10 is not closed" in one_error_line(simple("reopen", "--reason", "x", inputs=False))
    assert simple("close").exit_code == 0
    assert "reopen needs --reason TEXT" in one_error_line(simple("reopen", "--reason", " ", inputs=False))
    assert simple("reopen", inputs=False).exit_code == 2  # --reason is required


def test_late_event_adjustment_is_carried_by_the_next_close(simple, store):
    assert simple("close").exit_code == 0
    assert "no corrections" in simple("adjustments", inputs=False).output
    time.sleep(0.01)  # ingested strictly after the close instant
    ingest(store, [late_complaint_for_a3()])
    october = json.loads(simple("rollup", "--format", "json").stdout)
    assert {r["agent_id"]: r["amount"] for r in october["rows"]}["a3"] == "200.00"  # closed: unchanged
    listed = simple("adjustments", inputs=False)
    assert listed.exit_code == 0 and "a3" in listed.output and "-200.00" in listed.output

    preview = json.loads(simple("rollup", "--format", "json", month="2026-11").stdout)
    assert [(a["agent_id"], a["amount"]) for a in preview["adjustments"]] == [("a3", "-200.00")]
    closed = simple("close", month="2026-11")
    assert closed.exit_code == 0 and "1 adjustment lines" in closed.output
    november = {r["agent_id"]: r for r in json.loads(simple("rollup", "--format", "json", month="2026-11")
                                                      .stdout)["rows"]}
    a3 = november["a3"]
    assert (a3["amount"], a3["adjustment"], a3["payable"]) == ("200.00", "-200.00", "0.00")
    assert "correction for 2026-10 (events after its close): 200.00 -> 0.00, tier good -> poor: -200.00" \
        in a3["reasons"]
    assert (november["a1"]["adjustment"], november["a1"]["payable"]) == ("0.00", "200.00")
    # booked once: October now shows it as booked, with nothing left to carry
    after = simple("adjustments", inputs=False).output
    assert "-200.00" in after and "0.00" in after
    refused = simple("reopen", "--reason", "x", inputs=False)
    assert "2026-11 is closed after 2026-10" in one_error_line(refused)


def test_export_bad_outputs_are_one_line_errors(simple, tmp_path):
    unknown = simple("export", "--out", str(tmp_path / "october.txt"))
    assert "unknown extension '.txt'; name the file .csv or .xlsx" in unknown.output and unknown.exit_code == 2
    assert not (tmp_path / "october.txt").exists()
    disagree = simple("export", "--out", str(tmp_path / "october.csv"), "--format", "xlsx")
    assert disagree.exit_code == 2 and "make them agree" in disagree.output
    missing = simple("export", "--out", str(tmp_path / "no" / "such" / "october.csv"))
    assert "does not exist" in one_error_line(missing)
    unwritable = simple("export", "--out", "/proc/cckpi-october.csv")  # writable to no one, not even root
    assert "--out /proc/cckpi-october.csv: cannot write it" in one_error_line(unwritable)


def test_supervisor_inputs_are_validated_versioned_and_frozen_by_the_close(simple, tmp_path):
    from pipeline.payroll import examples

    inputs = tmp_path / "inputs.csv"
    inputs.write_text("agent_id,attitude,teamwork,callbacks_due,callbacks_done\na1,12.5,9,10,9\n")
    cards = {"policy": examples.SCORECARDS}
    imported = simple("inputs", str(inputs), "--by", "supervisor-li", **cards)
    assert imported.exit_code == 0 and "imported supervisor inputs of 1 agents for 2026-10 (version 1)" in \
        imported.output
    a1 = json.loads(simple("rollup", "--format", "json", **cards).stdout)["rows"][0]
    assert (a1["attitude"], a1["teamwork"], a1["callback_rate"], a1["c100_attitude"]) == ("12.5", "9", 0.9, "12.5")
    assert a1["card_callback_rate"] == "25"

    inputs.write_text("agent_id,attitude\na1,12\nx9,3\n")
    unknown = simple("inputs", str(inputs), **cards)
    assert "row 3, column agent_id: agent 'x9' is not in the roster" in one_error_line(unknown)
    inputs.write_text("agent_id,attitude\na1,16\n")
    assert "row 2, column attitude: 16 is out of range 0..15" in one_error_line(simple("inputs", str(inputs), **cards))
    assert "inputs needs --roster FILE" in one_error_line(simple("inputs", str(inputs), inputs=False))

    no_salary = simple("close", **cards)
    assert "close needs --salary-total AMOUNT" in one_error_line(no_salary)
    assert simple("close", "--salary-total", "100000", **cards).exit_code == 0
    inputs.write_text("agent_id,attitude\na1,14\n")
    assert "2026-10 is closed; reopen it" in one_error_line(simple("inputs", str(inputs), **cards))
    assert simple("reopen", "--reason", "attitude re-scored", inputs=False).exit_code == 0
    assert simple("inputs", str(inputs), **cards).exit_code == 0
    assert simple("close", "--salary-total", "100000", **cards).exit_code == 0
    a1 = json.loads(simple("rollup", "--format", "json", **cards).stdout)["rows"][0]
    assert (a1["attitude"], a1["callbacks_due"]) == ("14", 0)  # the latest import replaces the earlier one
    history = json.loads(simple("history", "--format", "json", inputs=False).stdout)
    assert [(v["action"], v["who"]) for v in history][:1] == [("inputs", "supervisor-li")]
    assert [v["action"] for v in history] == ["inputs", "close", "reopen", "inputs", "close"]
