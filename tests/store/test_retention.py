"""`cckpi store expire` on each engine: hand-worked rows on both sides of each cut-off (one exactly at it),
the next-contact tables consistent with the facts, the pre-aggregates and agent tables untouched, and the
reports over the kept period what they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli.main import cli
from pipeline.core.pseudonym import pseudonymiser
from pipeline.retention_settings import DAY_MS, RetentionSettings
from pipeline.store.retention import expire
from pipeline.store.store import Store
from tests.fixtures.events import BASE, abandoned, answered, at, ended, event, offered, wrapup
from tests.fixtures.stores import TEST_KEY, ingest, report
from tests.payroll.conftest import url_of
from tests.store.test_backup import Centre, centre  # noqa: F401 (the fixture: October closed)

K1, K2, K3 = "+8613800138000", "+8613900000000", "+8613700000000"
CUT_S = 5 * 86_400  # five days after BASE: the cut of a 5-day retention at NOW_MS
NOW_MS = int(BASE.timestamp() * 1000) + 10 * DAY_MS
KEEP_5_DAYS = RetentionSettings(raw_events_days=5, contact_facts_days=5)
EXPIRING = {"events", "contact_next", "customer_contacts", "contact_facts", "contact_offers"}


def _centre(store: Store) -> None:
    """c1 (K1) wrapped up 1 ms before the cut, stored in two batches (two versions of its fact); c2 (K1, c1's
    repeat) offered exactly at the cut; c3 (K1, c2's repeat) after it; c4 (K2) abandoned days before it; c5
    (K3) offered 1 ms before the cut but answered after it (its talk is in the kept period's agent time, so it
    stays); an agent state days before the cut."""
    C = CUT_S
    ingest(store, [offered("c1", C - 60.001, customer_key=K1), answered("c1", C - 55),
                   offered("c4", 0, customer_key=K2), abandoned("c4", 30),
                   offered("c5", C - 0.001, customer_key=K3), answered("c5", C + 5), ended("c5", C + 65),
                   event("agent.state", 0, agent_id="a1", state="available")])
    ingest(store, [ended("c1", C - 1), wrapup("c1", C - 0.001),
                   offered("c2", C, customer_key=K1), answered("c2", C + 10, "a2"), ended("c2", C + 70),
                   offered("c3", C + 600, customer_key=K1), answered("c3", C + 605), ended("c3", C + 700)])


def _rows(store: Store, table: str, columns: str) -> list[tuple[Any, ...]]:
    result = store.engine.query(f"SELECT {columns} FROM {store.db}.{table} ORDER BY {columns}")
    return list(zip(*result.values()))


LAID_WHEN_READ = {"agent_time_blocks"}  # written by the reports below, not by the expiry


def _snapshot(store: Store) -> dict[str, list[str]]:
    """Every row of every other table of the store (the pre-aggregates, the agent tables, erasures, ...), which
    the expiry must not touch (ORDER BY * is not SQL both engines take)."""
    tables = store.engine.query(f"SELECT name FROM system.tables WHERE database = '{store.db}'")["name"]
    assert {"queue_intervals", "agent_intervals", "agent_days", "agent_states"} <= set(tables)
    return {table: sorted(repr(row) for row in zip(*store.engine.query(f"SELECT * FROM {store.db}.{table}").values()))
            for table in tables if table not in EXPIRING and table not in LAID_WHEN_READ}


def _kept_reports(store: Store) -> list[list[dict[str, Any]]]:
    """Reports over the kept period: from the cut to a day later, by queue and by agent."""
    start, end = at(CUT_S), at(CUT_S + 86_400)
    return [report(store, start, end, by=("queue",)), report(store, start, end, by=("agent",))]


def test_expire_deletes_before_the_cut_keeps_the_rest_and_the_next_contact_tables_agree(store: Store) -> None:
    _centre(store)
    p = pseudonymiser(TEST_KEY)
    before, reports = _snapshot(store), _kept_reports(store)
    assert _rows(store, "contact_next", "contact_id") == [("c1",), ("c2",)]  # c1 -> c2 -> c3 (K1)

    # hand-worked: expired are c1 and c4 in every contact table (c1's link to c2 in contact_next), and 7 of
    # the 16 events (c1's four, c4's two, c5's offer, the agent state); the counts
    # are of stored rows, where a contact written in two batches may still have two until the table merges
    stored = {table: _rows(store, table, "contact_id") for table in
              ("contact_next", "customer_contacts", "contact_facts", "contact_offers")}
    for table, rows in stored.items():
        assert {cid for (cid,) in rows} >= {"c1"} and {cid for (cid,) in rows} - {"c1", "c4"} <= {"c2", "c3", "c5"}
    expected = {"events": 8, **{table: sum(1 for (cid,) in rows if cid in ("c1", "c4"))
                                for table, rows in stored.items()}}
    dry = expire(store, KEEP_5_DAYS, NOW_MS, dry_run=True)
    counted = {step.table: rows for step, rows in dry}
    assert counted == expected and counted["contact_next"] >= 1 and counted["contact_facts"] >= 2
    assert len(_rows(store, "events", "event_id")) == 16  # a dry run deletes nothing

    done = expire(store, KEEP_5_DAYS, NOW_MS)
    assert {step.table: rows for step, rows in done} == counted
    assert [row[0] for row in _rows(store, "events", "type, ts_ms")] == [
        "contact.answered", "contact.answered", "contact.answered", "contact.ended", "contact.ended",
        "contact.ended", "contact.offered", "contact.offered"]  # c5's answer and end stay: their own time
    assert _rows(store, "contact_facts", "contact_id") == [("c2",), ("c3",), ("c5",)]  # c2 at the cut stays
    assert _rows(store, "contact_offers", "contact_id") == [("c2",), ("c3",), ("c5",)]
    assert sorted(_rows(store, "customer_contacts", "contact_id, customer_key")) == [
        ("c2", p(K1)), ("c3", p(K1)), ("c5", p(K3))]
    base_ms = int(BASE.timestamp() * 1000)
    assert _rows(store, "contact_next", "contact_id, next_offered_ms") == [("c2", base_ms + CUT_S * 1000 + 600_000)]
    assert _snapshot(store) == before  # pre-aggregates and the agent states untouched
    assert _kept_reports(store) == reports

    again = expire(store, KEEP_5_DAYS, NOW_MS)
    assert [rows for _, rows in again] == [0, 0, 0, 0, 0]


def test_unset_or_zero_keeps_everything(store: Store) -> None:
    _centre(store)
    done = expire(store, RetentionSettings(raw_events_days=0), NOW_MS)
    assert all(step.cut_ms is None and rows == 0 for step, rows in done)
    assert len(_rows(store, "events", "event_id")) == 16 and len(set(_rows(store, "contact_offers", "contact_id"))) == 5


def test_the_command_prints_one_line_per_table(store: Store, chdb_dir: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's cut is now: rows of BASE's day (2026-11-02) are days old, a row of tomorrow is not."""
    monkeypatch.setenv("CCKPI_PSEUDONYM_KEY", TEST_KEY.decode())
    monkeypatch.setenv("CCKPI_PAYROLL__ADJUSTMENT_LOOKBACK_MONTHS", "0")
    monkeypatch.setenv("CCKPI_PAYROLL__CLOSE_GRACE_DAYS", "0")
    monkeypatch.setenv("CCKPI_RETENTION__RAW_EVENTS_DAYS", "1")
    monkeypatch.setenv("CCKPI_RETENTION__CONTACT_FACTS_DAYS", "62")  # the least payroll allows with these
    from datetime import datetime, timezone
    days_ago = (datetime.now(timezone.utc) - BASE).total_seconds()
    ingest(store, [offered("old", 0, customer_key=K1),  # BASE: more than a day ago, less than 62 days
                   offered("new", days_ago + 86_400, customer_key=K1)])  # tomorrow
    url = url_of(store, chdb_dir, store.db)
    dead = tmp_path / "dead-letter.jsonl"
    result = CliRunner().invoke(cli, ["store", "expire", "--store", url, "--dead-letter", str(dead), "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("events: 1 rows would be removed (before ")
    assert lines[3].startswith("contact_facts: 0 rows would be removed")
    assert lines[-1] == f"dead letters {dead}: kept (retention.dead_letters_days is not set)"
    result = CliRunner().invoke(cli, ["store", "expire", "--store", url, "--dead-letter", str(dead)])
    assert result.output.splitlines()[0].startswith("events: 1 rows removed")
    assert _rows(store, "events", "contact_id") == [("new",)]
    monkeypatch.setenv("CCKPI_RETENTION__CONTACT_FACTS_DAYS", "61")
    refused = CliRunner().invoke(cli, ["store", "expire", "--store", url])
    assert refused.exit_code == 2 and "keep at least 62 days" in refused.output
    assert len(refused.output.strip().splitlines()[-1]) < 250


def test_the_payroll_history_and_the_closed_months_export_do_not_move(centre: Centre,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """October 2026 of tests/payroll/events.py, closed; then its contacts expire (62 days, the least payroll
    allows with no look-back and no grace): the payroll database is not touched, so the history and the
    closed month's export are byte for byte what they were."""
    monkeypatch.setenv("CCKPI_PAYROLL__ADJUSTMENT_LOOKBACK_MONTHS", "0")
    monkeypatch.setenv("CCKPI_RETENTION__RAW_EVENTS_DAYS", "62")
    monkeypatch.setenv("CCKPI_RETENTION__CONTACT_FACTS_DAYS", "62")
    before = centre.outputs("before")
    result = centre.cli("store", "expire", *centre.store_args())
    assert result.exit_code == 0, result.output
    removed = dict(line.split(": ", 1) for line in result.output.splitlines() if not line.startswith("dead"))
    assert not removed["contact_facts"].startswith("0 rows")  # the 5th of October is older than 62 days
    after = centre.outputs("after")
    assert after["history"] == before["history"] and after["export"] == before["export"]
