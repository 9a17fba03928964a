"""Time conflicts and abandon reasons through the store on both engines (hand-worked)."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from pipeline.core.intake import Intake
from pipeline.core.intervals import parse_instant
from pipeline.core.pseudonym import pseudonymiser
from pipeline.ingest.chain import flush
from pipeline.report.build import ReportRequest
from pipeline.report.conflicts import time_conflicts
from pipeline.report.render import as_csv
from pipeline.settings import load_settings
from tests.fixtures.events import abandoned, answered, answered_call, ended, event, offered, wrapup
from tests.fixtures.stores import TEST_KEY, ingest, report

SKEWED = [offered("skew", 100), answered("skew", 96), ended("skew", 156), wrapup("skew", 160)]  # answered 4 s early


def _abandon(cid: str, t: float, reason: str | None) -> dict:
    return event("contact.abandoned", t, contact_id=cid, **({"reason": reason} if reason else {}))


def test_negative_wait_is_zero_counted_and_listed(store):
    ingest(store, [*answered_call("ok", 0, 20, 60, 5), *SKEWED])
    (row,) = report(store, "2026-11-02", "2026-11-03")
    # waits 20 s and -4 s -> 0: ASA 10 s, never (20 - 4) / 2 = 8 s; AHT (65 + 64) / 2
    assert (row["answered"], row["asa_s"], row["aht_s"], row["time_conflicts"]) == (2, 10.0, 64.5, 1)
    assert row["answered_within_sl"] == 2

    settings = load_settings()
    request = ReportRequest(parse_instant("2026-11-02", settings.zone), parse_instant("2026-11-03", settings.zone))
    (listed,) = time_conflicts(store, request, settings)
    assert listed["contact_id"] == "skew" and listed["queue"] == "billing" and listed["agent_id"] == "a1"
    assert listed["offered"] == "2026-11-02T09:01:40+08:00" and listed["answered"] == "2026-11-02T09:01:36+08:00"
    assert (listed["wait_s"], listed["talk_s"], listed["acw_s"]) == (0.0, 60.0, 4.0)


def test_conflicts_count_per_group(store):
    ingest(store, [*SKEWED, *answered_call("q2", 0, 5, 60, 5, queue="sales"),
                   offered("late-end", 0, queue="sales"), answered("late-end", 10), ended("late-end", 5),
                   offered("ab", 30, queue="sales"), abandoned("ab", 25)])
    rows = {r["queue"]: r for r in report(store, "2026-11-02", "2026-11-03")}
    assert rows["billing"]["time_conflicts"] == 1
    assert rows["sales"]["time_conflicts"] == 2  # ended before answered; abandoned before offered
    assert rows["sales"]["abandoned"] == 1 and rows["sales"]["short_abandoned"] == 1  # wait 0 < 5 s


def test_abandoned_split_by_reason(store):
    ingest(store, [offered("a1", 0), _abandon("a1", 40, None), offered("a2", 0), _abandon("a2", 50, "customer"),
                   offered("a3", 0), _abandon("a3", 300, "timeout"), offered("a4", 0), _abandon("a4", 1, "empty"),
                   offered("a5", 0), _abandon("a5", 20, "key"), *answered_call("c1", 0, 5, 60, 5)])
    (row,) = report(store, "2026-11-02", "2026-11-03")
    assert row["abandoned"] == 5 and row["short_abandoned"] == 1
    assert row["abandoned_by_reason"] == {"customer": 2, "timeout": 1, "empty": 1, "key": 1}
    assert row["time_conflicts"] == 0
    header, values = as_csv([row]).splitlines()
    columns = dict(zip(header.split(","), values.split(",")))
    assert columns["abandoned_by_reason.timeout"] == "1" and columns["abandoned_by_reason.customer"] == "2"


def test_flush_counts_each_conflicted_contact_once(store):
    counted: list[int] = []

    def feed(events: list[dict]) -> None:
        intake = Intake(pseudonymiser(TEST_KEY))
        for item in events:
            intake.feed(orjson.dumps(item))
        flush(store, load_settings(), intake.take(), counted.append)

    feed(SKEWED[:2])  # offered at 100, answered at 96: flagged now
    feed(SKEWED[2:])  # the rest of the same contact: still flagged, not counted again
    feed(answered_call("fine", 0, 5, 60, 5))
    assert sum(counted) == 1


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_cli_lists_time_conflicts(chdb_store, chdb_dir, fmt):
    from pipeline.cli.report import report as report_command

    ingest(chdb_store, [*answered_call("fine", 0, 20, 60, 5), *SKEWED])
    result = CliRunner().invoke(report_command, [
        "--store", f"chdb://{chdb_dir}?database={chdb_store.db}", "--from", "2026-11-02", "--to", "2026-11-03",
        "--time-conflicts", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "skew" in result.output and "fine" not in result.output
    if fmt == "json":
        assert [r["contact_id"] for r in orjson.loads(result.output)] == ["skew"]
