"""``cckpi report --by team``: each team's row sums its agents' components (the roster's team column)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from pipeline.cli.main import cli
from pipeline.core.intervals import parse_instant
from pipeline.report.build import ReportRequest, build
from pipeline.settings import load_settings
from pipeline.store.chdb_engine import ChdbEngine
from pipeline.store.store import Store
from tests.fixtures.events import answered_call
from tests.fixtures.stores import ingest

SETTINGS = load_settings(tz="Asia/Shanghai")
START, END = parse_instant("2026-11-02", SETTINGS.zone), parse_instant("2026-11-03", SETTINGS.zone)
TEAMS = {"a1": "north", "a2": "north", "a3": "south"}  # a4 is not in the roster


def day() -> list[dict]:
    """a1: two calls of 60 s talk + 5 s wrap-up (65 s); a2: one of 120 + 5 = 125 s, resolved; a3: 65 s; a4: 65 s."""
    return [*answered_call("c1", 0, 5, 60, 5, agent="a1"), *answered_call("c2", 100, 5, 60, 5, agent="a1"),
            *answered_call("c3", 200, 5, 120, 5, agent="a2", disposition="resolved"),
            *answered_call("c4", 300, 5, 60, 5, agent="a3"), *answered_call("c5", 400, 5, 60, 5, agent="a4")]


def test_a_team_row_sums_its_agents(store: Store) -> None:
    ingest(store, day())
    report = build(store, ReportRequest(START, END, by=("team",), teams=TEAMS), SETTINGS)
    rows = {r["team"]: r for r in report.rows}
    assert set(rows) == {"north", "south", None}  # a4: no team in the roster, a row of its own ("–")
    north = rows["north"]
    assert north["handled"] == 3  # a1 2 + a2 1
    assert north["aht_s"] == pytest.approx((65 + 65 + 125) / 3)  # 85 s: summed handle time / contacts, not a mean
    assert north["resolution_rate"] == pytest.approx(1 / 1)  # only c3 has a disposition
    assert rows["south"]["handled"] == 1 and rows[None]["handled"] == 1
    by_agent = build(store, ReportRequest(START, END, by=("agent",)), SETTINGS)
    assert report.total == by_agent.total  # the same contacts, grouped otherwise


def test_team_needs_a_roster_and_is_not_grouped_with_agent() -> None:
    with pytest.raises(ValueError, match="--roster"):
        ReportRequest(START, END, by=("team",))
    with pytest.raises(ValueError, match="not both"):
        ReportRequest(START, END, by=("team", "agent"), teams=TEAMS)


def test_the_cli_reads_the_roster(store: Store, chdb_dir: Path, tmp_path: Path, monkeypatch) -> None:
    if not isinstance(store.engine, ChdbEngine):
        pytest.skip("the CLI on the embedded store is enough here; the server store runs the same SQL")
    ingest(store, day())
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")
    roster = tmp_path / "roster.csv"
    roster.write_text("agent_id,name,team,hire_date\n" + "".join(f"{a},{a.upper()},{t},2025-01-01\n"
                                                                  for a, t in TEAMS.items()))
    url = f"chdb://{chdb_dir}?database={store.db}"
    args = ["report", "--store", url, "--from", "2026-11-02", "--to", "2026-11-03", "--by", "team"]
    result = CliRunner().invoke(cli, [*args, "--roster", str(roster), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [(r["team"], r["handled"]) for r in orjson.loads(result.output)] == [(None, 1), ("north", 3), ("south", 1)]
    table = CliRunner().invoke(cli, [*args, "--roster", str(roster), "--lang", "zh-CN"], catch_exceptions=False)
    assert table.exit_code == 0 and "团队" in table.output and "north" in table.output
    missing = CliRunner().invoke(cli, args)
    assert missing.exit_code == 2 and "--roster" in missing.output and "Traceback" not in missing.output
