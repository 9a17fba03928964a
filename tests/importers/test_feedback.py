"""``cckpi import qa-sheet|surveys|complaints``: the documented column mapping, stable ids, dead letters with
row numbers, pseudonymised customers, and the same events from CSV and XLSX."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from pipeline.cli.import_records import import_records
from pipeline.core.pseudonym import pseudonymiser
from pipeline.store.store import Store
from tests.fixtures.events import answered_call
from tests.fixtures.stores import TEST_KEY, ingest, report

KEY = TEST_KEY.decode()


@pytest.fixture(autouse=True)
def centre(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCKPI_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("CCKPI_TZ", "Asia/Shanghai")


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def run(kind: str, source: Path, out: Path, *more: str) -> tuple[list[dict], list[dict], str]:
    result = CliRunner().invoke(import_records, [kind, str(source), "--out", str(out), *more])
    assert result.exit_code == 0, result.output
    events = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    letters_path = Path(f"{out}.dead-letters.jsonl")
    letters = [orjson.loads(line) for line in letters_path.read_bytes().splitlines()] if letters_path.exists() else []
    return events, letters, result.output


QA_ROWS: list[list[object]] = [
    ["工单号", "工号", "质检时间", "质检得分", "致命错误", "业务差错", "资费差错", "诈单", "来源", "备注"],
    ["c1", "a1", "2026-11-02 09:30", 96, 0, 1, 0, 0, "外部", "ok"],
    ["c2", "a1", "2026-11-02 10:00", 88.5, 1, 0, 2, 0, "内部", ""],
    ["c3", "a2", "yesterday", 90, 0, 0, 0, 0, "内部", ""],  # bad time
    ["c4", "a2", "2026-11-02 11:00", 101, 0, 0, 0, 0, "", ""],  # score off the contract's 0-100
    ["c5", "a2", "2026-11-02 11:30", 80, -1, 0, 0, 0, "", ""],  # negative count
]


def test_qa_sheet_maps_chinese_headers_and_dead_letters_bad_rows(tmp_path: Path) -> None:
    events, letters, output = run("qa-sheet", write_csv(tmp_path / "qa.csv", QA_ROWS), tmp_path / "qa.jsonl")
    assert [e["contact_id"] for e in events] == ["c1", "c2"]
    first = events[0]
    # 09:30 in Asia/Shanghai is 01:30 UTC
    assert first["ts"] == "2026-11-02T01:30:00.000Z" and first["source"] == "external" and first["score"] == 96
    assert (first["business_errors"], first["tariff_errors"], first["fraud_orders"]) == (1, 0, 0)
    assert events[1]["fatal_errors"] == 1 and events[1]["tariff_errors"] == 2 and events[1]["source"] == "internal"
    assert [(x["source"].rsplit(":", 1)[1], x["reason"]) for x in letters] == [
        ("4", "bad_timestamp"), ("5", "out_of_range"), ("6", "out_of_range")]  # row 1 is the header
    assert "备注" in output  # the unmapped column is named, not an error


def test_times_and_counts_the_store_cannot_hold_are_dead_letters_not_a_stopped_import(tmp_path: Path) -> None:
    # year 1 in UTC+8 is before year 1 in UTC: converting it stopped the import with a traceback
    rows = [QA_ROWS[0], ["c1", "a1", "0001-01-01 00:00", 90, 0, 0, 0, 0, "", ""],
            ["c2", "a1", "9999-12-31 23:59", 90, 0, 0, 0, 0, "", ""],
            ["c3", "a1", "2026-11-02 09:30", 90, 5_000_000_000, 0, 0, 0, "", ""],  # past the store's UInt32
            ["c4", "a1", "2026-11-02 09:30", 90, 0, 0, 0, 0, "", ""]]
    events, letters, _ = run("qa-sheet", write_csv(tmp_path / "qa.csv", rows), tmp_path / "qa.jsonl")
    assert [e["contact_id"] for e in events] == ["c4"]
    assert [(x["source"].rsplit(":", 1)[1], x["reason"]) for x in letters] == [
        ("2", "bad_timestamp"), ("3", "bad_timestamp"), ("4", "out_of_range")]
    assert letters[0]["detail"].endswith("'0001-01-01 00:00' is outside 1970-01-02 to 2099-12-31 (UTC), the times "
                                         "the store can hold")


def test_the_same_sheet_as_xlsx_gives_the_same_events(tmp_path: Path) -> None:
    rows = [list(r) for r in QA_ROWS]
    rows[1][2] = datetime(2026, 11, 2, 9, 30)  # a real Excel date cell
    from_csv, _, _ = run("qa-sheet", write_csv(tmp_path / "qa.csv", QA_ROWS), tmp_path / "a.jsonl")
    from_xlsx, letters, _ = run("qa-sheet", write_xlsx(tmp_path / "qa.xlsx", rows), tmp_path / "b.jsonl")
    assert from_xlsx == from_csv and len(letters) == 3


def test_a_reimport_gives_the_same_ids_and_changes_no_number(tmp_path: Path, store: Store) -> None:
    sheet = write_csv(tmp_path / "qa.csv", QA_ROWS)
    once, _, _ = run("qa-sheet", sheet, tmp_path / "1.jsonl")
    longer = write_csv(tmp_path / "qa2.csv", [*QA_ROWS, ["c6", "a1", "2026-11-02 12:00", 70, 0, 0, 0, 0, "", ""]])
    twice, _, _ = run("qa-sheet", longer, tmp_path / "2.jsonl")
    assert [e["event_id"] for e in twice[:2]] == [e["event_id"] for e in once]
    calls = [e for cid in ("c1", "c2", "c6") for e in answered_call(cid, 0, 5, 60, 5)]
    ingest(store, [*calls, *once])
    before = report(store, "2026-11-02", "2026-11-03")
    ingest(store, once)  # the same file again, through a fresh intake: the store's ids keep it once
    assert report(store, "2026-11-02", "2026-11-03") == before
    assert before[0]["qa_avg"] == pytest.approx((96 + 88.5) / 2)


def test_surveys_on_three_scales_and_customers_pseudonymised(tmp_path: Path) -> None:
    rows = [["contact_id", "answered_at", "满意度", "量表", "nps", "手机号"],
            ["c1", "2026-11-02 09:00", "满意", "", "", "13800000000"],
            ["c2", "2026-11-02 09:05", "92", "0-100", "9", ""],
            ["c3", "2026-11-02 09:10", "4", "", "", ""],
            ["c4", "2026-11-02 09:15", "7", "", "", "13900000000"],  # 7 is off the 1-5 default
            ["c5", "2026-11-02 09:20", "", "", "", ""]]  # no score at all
    events, letters, _ = run("surveys", write_csv(tmp_path / "s.csv", rows), tmp_path / "s.jsonl")
    assert [(e["type"], e["contact_id"], e["score"], e.get("scale")) for e in events] == [
        ("survey.csat", "c1", 3, "3-option"), ("survey.csat", "c2", 92, "0-100"), ("survey.nps", "c2", 9, None),
        ("survey.csat", "c3", 4, "1-5")]
    pseudonym = pseudonymiser(TEST_KEY)("13800000000")
    assert events[0]["customer_key"] == pseudonym
    raw = (tmp_path / "s.jsonl").read_text() + Path(f"{tmp_path / 's.jsonl'}.dead-letters.jsonl").read_text()
    assert "13800000000" not in raw and "13900000000" not in raw  # neither events nor dead letters hold a number
    assert [(x["source"].rsplit(":", 1)[1], x["reason"]) for x in letters] == [("5", "out_of_range"),
                                                                             ("6", "missing_field")]


def test_complaints_with_yes_no_in_both_languages(tmp_path: Path) -> None:
    rows = [["投诉编号", "agent", "filed_at", "contact_id", "是否有效", "升级"],
            ["K1", "a1", "2026-11-02 14:00", "c1", "是", "否"],
            ["K2", "a2", "2026-11-02 15:00", "", "yes", "1"],
            ["K3", "a2", "2026-11-02 15:30", "", "maybe", ""]]
    events, letters, _ = run("complaints", write_csv(tmp_path / "k.csv", rows), tmp_path / "k.jsonl")
    assert [(e["agent_id"], e["valid"], e["escalated"], e.get("contact_id")) for e in events] == [
        ("a1", True, False, "c1"), ("a2", True, True, None)]
    assert [x["reason"] for x in letters] == ["invalid_value"] and "maybe" in letters[0]["detail"]


def test_a_missing_required_column_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "bad.csv", [["contact_id", "agent_id", "score"], ["c1", "a1", "90"]])
    out = tmp_path / "o.jsonl"
    result = CliRunner().invoke(import_records, ["qa-sheet", str(source), "--out", str(out)])
    assert result.exit_code != 0
    line = result.output.strip()
    assert "\n" not in line and "evaluated_at" in line and "Traceback" not in line
    assert not out.exists()


def test_csat_scale_option_reads_scores_without_a_scale_column(tmp_path: Path) -> None:
    rows = [["contact_id", "answered_at", "csat"], ["c1", "2026-11-02 09:00", "85"], ["c2", "2026-11-02 09:01", "101"]]
    source = write_csv(tmp_path / "s.csv", rows)
    letters_path = tmp_path / "bad" / "rows.jsonl"
    events, _, _ = run("surveys", source, tmp_path / "s.jsonl", "--csat-scale", "0-100",
                       "--dead-letter", str(letters_path))
    assert [(e["score"], e["scale"]) for e in events] == [(85, "0-100")]  # 85 is off 1-5 but on 0-100
    (letter,) = [orjson.loads(line) for line in letters_path.read_bytes().splitlines()]
    assert letter["reason"] == "out_of_range" and letter["source"].endswith(":3")  # 101 is off 0-100 too
