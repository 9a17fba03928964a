"""Seat groups: each roster seat_group may have its own policy (--policy-for GROUP=POLICY), one close for all.

003 scores seat groups by their own rules ("世界风专席、大客户专席"): a1 (seat group key-accounts) is scored by
the shipped weighted-card policy, a3 (no group) by the example quality bonus, in one sheet and one close.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from pipeline.cli.main import cli
from pipeline.payroll import examples
from tests.fixtures.stores import ingest
from tests.payroll.conftest import payroll_url_beside, url_of
from tests.payroll.events import october

ROSTER = "agent_id,name,team,hire_date,seat_group\na1,Li Na,blue,2025-01-01,key-accounts\na3,Wu Bo,blue,2026-10-10,\n"


def test_each_group_is_scored_by_its_policy_and_closed_once(store, chdb_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")
    ingest(store, october())
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    base = ["--month", "2026-10", "--roster", str(roster), "--policy", str(examples.POLICY),
            "--policy-for", "key-accounts=weighted-card", "--store", url_of(store, chdb_dir, store.db),
            "--payroll-store", payroll_url_beside(store, chdb_dir)]

    def invoke(*argv: str):
        return CliRunner().invoke(cli, ["payroll", *argv[:1], *base, *argv[1:]], catch_exceptions=False)

    result = invoke("rollup", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["agent_id"]: r for r in json.loads(result.stdout)["rows"]}
    assert (rows["a1"]["seat_group"], rows["a1"]["policy"]) == ("key-accounts", "weighted-card")
    assert (rows["a3"]["seat_group"], rows["a3"]["policy"]) == ("", "example-quality-bonus")
    # weighted-card: a1 has no CSAT or NPS and resolution 2/3 < 95 %: every line 0; its tier is the default none
    assert (rows["a1"]["card_total"], rows["a1"]["tier"], rows["a1"]["amount"]) == ("0", "none", "0.00")
    closed = invoke("close")
    assert closed.exit_code == 0, closed.output
    frozen = {r["agent_id"]: r for r in json.loads(invoke("rollup", "--format", "json").stdout)["rows"]}
    assert frozen["a1"]["policy"] == "weighted-card" and frozen["a3"]["policy"] == "example-quality-bonus"


def test_a_group_without_agents_or_a_bad_pair_is_one_line(store, chdb_dir, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    for given, message in (("gsm=weighted-card", "seat group 'gsm' has no agent in the roster's seat_group"),
                           ("key-accounts", "'key-accounts': write GROUP=POLICY")):
        result = CliRunner().invoke(cli, ["payroll", "rollup", "--month", "2026-10", "--roster", str(roster),
                                          "--policy-for", given, "--store", url_of(store, chdb_dir, store.db)])
        assert result.exit_code == 2 and message in result.output, result.output
