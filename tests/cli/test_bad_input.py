"""Every bad input of issue 17's table: a one-line error naming what was wrong and the fix, a non-zero exit.

Through click's CLI runner (in-process: chDB allows one folder per process, so
each test gets a fresh database in the session's folder), on both engines
where a store is involved.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result

from pipeline.cli.main import cli
from pipeline.store.store import Store
from tests.fixtures.events import abandoned, answered_call, event, offered
from tests.fixtures.stores import ENGINES, TEST_KEY, fresh_url


@pytest.fixture(params=ENGINES)
def store_url(request: pytest.FixtureRequest, chdb_dir: Path) -> Iterator[str]:
    """A fresh, empty database on each engine, as a URL for ``--store``."""
    url = fresh_url(request.param, chdb_dir)
    yield url
    store = Store.open(url, migrate_schema=False)
    store.engine.command(f"DROP DATABASE IF EXISTS {store.db}")
    store.close()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CCKPI_DATA_DIR": str(tmp_path / "data"), "CCKPI_CONFIG": "", "CCKPI_PSEUDONYM_KEY": TEST_KEY.decode(),
            "CCKPI_TZ": "Asia/Shanghai"}


def cckpi(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def one_line_error(result: Result, *fragments: str) -> str:
    """Exit non-zero, no traceback, one ``Error:`` line on stderr naming each fragment (a usage error is
    preceded by click's usage lines)."""
    assert result.exit_code != 0, result.output
    stderr = result.stderr.strip()
    assert "Traceback" not in stderr, stderr
    errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and stderr.endswith(errors[0]), stderr
    for fragment in fragments:
        assert fragment in errors[0], stderr
    return errors[0]


def jsonl(path: Path, events: list[dict[str, Any]], prefix: bytes = b"") -> Path:
    path.write_bytes(prefix + b"\n".join(orjson.dumps(e) for e in events) + b"\n")
    return path


DAY = ["--from", "2026-11-02", "--to", "2026-11-03"]


def calls() -> list[dict[str, Any]]:
    return [*answered_call("b1", 0, 10, 60, 5, queue="billing"), *answered_call("s1", 30, 40, 60, 5, queue="sales"),
            offered("b2", 100, queue="billing"), abandoned("b2", 130)]


def stored_events(url: str) -> int:
    store = Store.open(url)  # an untouched store: created empty
    try:
        return int(store.engine.query(f"SELECT count() AS n FROM {store.db}.events")["n"][0])
    finally:
        store.close()


# --- the store URL ---

def test_a_relative_chdb_path_is_refused_and_nothing_is_created(env, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cckpi(env, "report", *DAY, "--store", "chdb://relative/path")
    one_line_error(result, "'relative/path' is relative", "chdb:///")
    assert not (tmp_path / "relative").exists()


def test_a_store_path_that_is_a_regular_file(env, tmp_path) -> None:
    a_file = tmp_path / "store.txt"
    a_file.write_text("not a store")
    one_line_error(cckpi(env, "report", *DAY, "--store", f"chdb://{a_file}"), "is a file, not a folder")
    one_line_error(cckpi(env, "replay", "-", "--store", f"chdb://{a_file}/sub"), "is a file, not a folder")


@pytest.mark.integration
def test_a_clickhouse_user_without_access_to_the_database(env, stack) -> None:
    wallboard = stack.env()["CCKPI_WALLBOARD_STORE_URL"]  # a read-only user, allowed its own database only
    user = wallboard.split("://", 1)[1].split(":", 1)[0]
    other = wallboard.rsplit("/", 1)[0] + "/not_its_database"
    text = one_line_error(cckpi(env, "report", *DAY, "--store", other), f"user '{user}'", "'not_its_database'",
                          "admin user creates databases")
    assert "Unexpected EOF" not in text


# --- replay input ---

def test_an_unwritable_dead_letter_file_fails_before_any_work(env, tmp_path, store_url) -> None:
    day = jsonl(tmp_path / "day.jsonl", [*calls(), {"not": "an event"}])
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = cckpi(env, "replay", str(day), "--store", store_url, "--dead-letter", str(blocker / "dl.jsonl"))
    one_line_error(result, "dead-letter file", f"{blocker} is a file, not a folder", "--dead-letter")
    assert stored_events(store_url) == 0  # refused before the data was processed


def test_a_byte_order_mark_on_the_first_line_is_skipped(env, tmp_path, store_url) -> None:
    day = jsonl(tmp_path / "excel.jsonl", calls(), prefix="\ufeff".encode())
    result = cckpi(env, "replay", str(day), "--store", store_url, "--strict")
    assert result.exit_code == 0, result.output + result.stderr
    assert stored_events(store_url) == len(calls())


def test_gzip_input_is_read_and_a_damaged_one_is_named(env, tmp_path, store_url) -> None:
    packed = tmp_path / "day.jsonl.gz"
    packed.write_bytes(gzip.compress(b"\n".join(orjson.dumps(e) for e in calls()) + b"\n"))
    result = cckpi(env, "replay", str(packed), "--store", store_url, "--strict")
    assert result.exit_code == 0, result.output + result.stderr
    assert stored_events(store_url) == len(calls())
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(packed.read_bytes()[:-30])
    one_line_error(cckpi(env, "replay", str(cut), "--store", store_url), str(cut), "gzip", "cut short")


def test_another_compression_is_named(env, tmp_path, store_url) -> None:
    import bz2

    packed = tmp_path / "day.jsonl.bz2"
    packed.write_bytes(bz2.compress(b"\n".join(orjson.dumps(e) for e in calls())))
    one_line_error(cckpi(env, "replay", str(packed), "--store", store_url), "is a bzip2 file", "decompress it first")
    assert stored_events(store_url) == 0


def test_an_empty_file_is_said(env, tmp_path, store_url) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"\n\n")
    one_line_error(cckpi(env, "replay", str(empty), "--store", store_url), "no events in", "empty")


def test_rejected_lines_exit_0_unless_strict(env, tmp_path, store_url) -> None:
    day = jsonl(tmp_path / "day.jsonl", [*calls(), {"event_id": "x", "type": "contact.teleported"}])
    relaxed = cckpi(env, "replay", str(day), "--store", store_url, "--dead-letter", str(tmp_path / "dl.jsonl"))
    assert relaxed.exit_code == 0 and "unknown_type" in relaxed.stdout
    strict = cckpi(env, "replay", str(day), "--store", store_url, "--dead-letter", str(tmp_path / "dl.jsonl"),
                   "--strict")
    assert strict.exit_code == 65
    assert "rejected or conflicting (--strict)" in strict.stderr and "Traceback" not in strict.stderr


def test_the_same_event_id_with_other_content_is_a_conflicting_duplicate(env, tmp_path, store_url) -> None:
    first = event("agent.state", 0, agent_id="a1", state="available")
    other = {**first, "state": "not_ready"}  # the same event_id, another state
    reordered = orjson.dumps(dict(reversed(list(first.items()))))  # same content, other key order: a plain repeat
    path = tmp_path / "conflict.jsonl"
    path.write_bytes(orjson.dumps(first) + b"\n" + reordered + b"\n" + orjson.dumps(other) + b"\n")
    letters = tmp_path / "dl.jsonl"
    result = cckpi(env, "replay", str(path), "--store", store_url, "--dead-letter", str(letters))
    assert result.exit_code == 0
    summary = {line.strip("│ ").rsplit("│", 1)[0].strip(): line.rsplit("│", 2)[-2].strip()
               for line in result.stdout.splitlines() if line.count("│") == 3}
    assert summary["accepted"] == "1" and summary["duplicates dropped"] == "1"
    assert summary["conflicting duplicates"] == "1" and summary["rejected"] == "0"
    (record,) = [orjson.loads(line) for line in letters.read_bytes().splitlines()]
    assert record["reason"] == "conflicting_duplicate" and record["event_id"] == first["event_id"]
    assert record["first_hash"] != record["this_hash"] and len(record["first_hash"]) == 8
    assert record["first_hash"] in record["detail"] and record["this_hash"] in record["detail"]
    assert orjson.loads(record["raw"])["state"] == "not_ready" and record["source"].endswith(":3")
    assert stored_events(store_url) == 1
    strict = cckpi(env, "replay", str(path), "--store", store_url, "--dead-letter", str(letters), "--strict")
    assert strict.exit_code == 65


# --- report input ---

def test_a_queue_list_and_a_queue_with_no_data(env, tmp_path, store_url) -> None:
    cckpi(env, "replay", str(jsonl(tmp_path / "day.jsonl", calls())), "--store", store_url)
    both = cckpi(env, "report", *DAY, "--store", store_url, "--queue", "billing,sales", "--format", "json")
    assert both.exit_code == 0
    assert [r["queue"] for r in orjson.loads(both.stdout)] == ["billing", "sales"]
    wrong_case = cckpi(env, "report", *DAY, "--store", store_url, "--queue", "Billing")
    one_line_error(wrong_case, "'Billing'", "did you mean 'billing'", "queues with data then: billing, sales")
    partly = cckpi(env, "report", *DAY, "--store", store_url, "--queue", "billing", "--queue", "vip",
                   "--format", "json")
    assert partly.exit_code == 0 and [r["queue"] for r in orjson.loads(partly.stdout)] == ["billing"]
    assert "no contacts in queue 'vip'" in partly.stderr


def test_an_empty_range_says_where_the_data_is(env, tmp_path, store_url) -> None:
    empty_store = cckpi(env, "report", *DAY, "--store", store_url)
    one_line_error(empty_store, "no contacts from 2026-11-02 to 2026-11-03", "cckpi replay")
    cckpi(env, "replay", str(jsonl(tmp_path / "day.jsonl", calls())), "--store", store_url)
    for fmt in ("table", "json", "csv"):
        result = cckpi(env, "report", "--from", "2026-10-01", "--to", "2026-10-02", "--store", store_url,
                       "--format", fmt)
        one_line_error(result, "no contacts from 2026-10-01 to 2026-10-02 (end exclusive, inbound)",
                       "2026-11-02 09:00 to 2026-11-02 09:01")


def test_excel_csv_starts_with_a_bom_and_plain_csv_does_not(env, tmp_path, store_url) -> None:
    cckpi(env, "replay", str(jsonl(tmp_path / "day.jsonl", calls())), "--store", store_url)
    excel = cckpi(env, "report", *DAY, "--store", store_url, "--excel")
    plain = cckpi(env, "report", *DAY, "--store", store_url, "--format", "csv")
    assert excel.stdout_bytes.startswith("\ufeff".encode()) and not plain.stdout_bytes.startswith(b"\xef")
    assert excel.stdout_bytes[3:] == plain.stdout_bytes
    one_line_error(cckpi(env, "report", *DAY, "--store", store_url, "--excel", "--format", "json"), "--excel")


def test_by_total_cannot_be_combined(env) -> None:
    one_line_error(cckpi(env, "report", *DAY, "--by", "total,queue"), "use it alone")



def test_an_agent_report_with_no_agent_activity_says_so(env, tmp_path, store_url) -> None:
    cckpi(env, "replay", str(jsonl(tmp_path / "day.jsonl", [offered("x1", 0), abandoned("x1", 20)])),
          "--store", store_url)
    one_line_error(cckpi(env, "report", *DAY, "--store", store_url, "--by", "agent"), "no agent answered",
                   "drop --by agent")
