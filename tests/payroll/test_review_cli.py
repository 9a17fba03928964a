"""``cckpi payroll review`` end to end: October 2026 closed through the CLI, then reviewed as 2026Q4 (both engines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.main import cli
from pipeline.payroll import examples
from pipeline.payroll.closing import find_closed, open_payroll_store
from tests.fixtures.stores import ingest
from tests.payroll.conftest import payroll_url_beside, url_of
from tests.payroll.events import ROSTER_CSV, october


@pytest.fixture
def stores(store, chdb_dir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")
    ingest(store, october())
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV)
    payroll_url = payroll_url_beside(store, chdb_dir)
    args = ["--store", url_of(store, chdb_dir, store.db), "--payroll-store", payroll_url]
    closed = CliRunner().invoke(cli, ["payroll", "close", "--month", "2026-10", "--roster", str(roster),
                                      "--policy", str(examples.POLICY), *args], catch_exceptions=False)
    assert closed.exit_code == 0, closed.output
    yield args, payroll_url
    payroll = open_payroll_store(payroll_url)
    payroll.engine.command(f"DROP DATABASE IF EXISTS {payroll.db}")


def test_a_quarter_with_one_closed_month(stores) -> None:
    args, payroll_url = stores
    result = CliRunner().invoke(cli, ["payroll", "review", "--quarter", "2026Q4", "--format", "json", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["closed_months"] == ["2026-10"] and found["open_months"] == ["2026-11", "2026-12"]
    payroll = open_payroll_store(payroll_url)
    frozen = {row["agent_id"]: row for row in find_closed(payroll, "2026-10").rows}
    payroll.close()
    assert {a["agent_id"] for a in found["agents"]} == set(frozen)
    for agent in found["agents"]:
        card = agent["months"]["2026-10"]
        row = frozen[agent["agent_id"]]
        # one month: its card is the frozen row's, the average is its own total, and no flag is possible
        assert card["tier"] == row["tier"] and card["card_total"] == str(row["card_total"])
        assert card["below_standard"] == (row["tier"] == "poor")  # the example policy's fallback tier
        assert agent["average_card_total"] == f"{float(row['card_total']):.2f}" and agent["flags"] == []
    table = CliRunner().invoke(cli, ["payroll", "review", "--quarter", "2026Q4", *args], catch_exceptions=False)
    assert table.exit_code == 0 and "2026-10" in table.output and "open, not reviewed: 2026-11, 2026-12" in table.output


@pytest.mark.parametrize("argv, says", [(["--quarter", "2026Q7"], "YYYYQn"), ([], "one of --quarter"),
                                        (["--quarter", "2026Q3", "--year", "2026"], "one of --quarter")])
def test_bad_periods_are_one_line(argv: list[str], says: str) -> None:
    result = CliRunner().invoke(cli, ["payroll", "review", *argv])  # refused before any store is opened
    assert result.exit_code != 0 and says in result.output and "Traceback" not in result.output
