"""Exports read back (XLSX cell by cell, CSV), closing a month, byte-identical re-exports, late events."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import openpyxl
import pytest

from pipeline.payroll import examples
from pipeline.payroll.closing import CloseInputs, ClosingError, close_month, find_closed, late_events
from pipeline.payroll.sheet_files import BOM, NUMBER_FORMATS, money_format
from pipeline.payroll.model import Month
from pipeline.payroll.month_sheet import computed, month_sheet
from pipeline.payroll.policy import load_policy
from pipeline.payroll.rollup import monthly_rollup
from pipeline.payroll.roster import parse_roster
from pipeline.settings import load_settings
from tests.fixtures.events import event
from tests.fixtures.stores import ingest
from tests.payroll.events import OCT5, ROSTER_CSV, october

EXAMPLE = examples.POLICY
POLICY, POLICY_TEXT = load_policy(EXAMPLE)
ROSTER = parse_roster(ROSTER_CSV)
OCTOBER = Month(2026, 10)
SETTINGS = load_settings(tz="Asia/Shanghai", lang="en")


@pytest.fixture
def october_store(store):
    ingest(store, october())
    return store


def test_hand_worked_rows(october_store):
    sheet = computed(october_store, OCTOBER, SETTINGS, ROSTER, POLICY, POLICY_TEXT)
    a1, a2, a3 = sheet.rows
    # a1: QA (95 + 80) / 2 = 87.5; fatal errors 1 internal, 2 external; one valid complaint -> poor;
    # 10 h worked is also under the 100 h minimum
    assert (a1["qa_avg_combined"], a1["business_errors_internal"], a1["business_errors_external"]) == (87.5, 1, 2)
    assert (a1["tier"], a1["amount"]) == ("poor", "0.00")
    assert a1["reasons"] == "not fair: valid complaints 1 > 0; worked 10.00 h < 100 h minimum: no quality bonus"
    assert (a2["in_roster"], a2["team"], a2["amount"]) == ("NO", "(not in roster)", "0.00")
    # a3: hired on the 10th (keeps the right to a bonus), no contacts, no QA, no hours
    assert (a3["handled_total"], a3["hours"], a3["qa_avg_combined"], a3["tier"]) == (0, 0.0, None, "poor")
    assert "hired" not in a3["reasons"]
    assert dict(sheet.totals)["agents_not_in_roster"] == 1 and dict(sheet.totals)["handled"] == 5


def test_xlsx_read_back_cell_by_cell(october_store, tmp_path):
    sheet = computed(october_store, OCTOBER, SETTINGS, ROSTER, POLICY, POLICY_TEXT)
    path = tmp_path / "october.xlsx"
    path.write_bytes(sheet.export("xlsx"))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Payroll 2026-10", "Policy and totals"]
    main = book["Payroll 2026-10"]
    assert main.freeze_panes == "B2" and main.auto_filter.ref == f"A1:{main.cell(1, main.max_column).column_letter}4"
    headers = [c.value for c in main[1]]
    assert headers == [header for _, header, _ in sheet.columns]
    assert headers[:8] == ["Name", "Team", "Tier", "Bonus", "Adjustment", "Best agent", "Payable", "Reasons"]
    assert main.max_row == 1 + len(sheet.rows) + 1 and main.max_column == len(sheet.columns)  # + totals row
    formats = {**NUMBER_FORMATS, "money": '"¥"#,##0.00'}
    for r, row in enumerate(sheet.rows, start=2):
        for c, (key, _, kind) in enumerate(sheet.columns, start=1):
            cell = main.cell(row=r, column=c)
            expected = row[key]
            if expected == "" or expected is None:
                assert cell.value is None, (key, r)
            elif kind in ("money", "points"):
                assert Decimal(str(cell.value)) == Decimal(expected), (key, r)
            elif kind == "date":
                assert cell.value == datetime.fromisoformat(expected), (key, r)  # a date cell, not text
            elif kind == "duration":
                # read back as a duration (openpyxl reads it to the millisecond)
                assert cell.value.total_seconds() == pytest.approx(expected, abs=0.001), (key, r)
            else:
                assert cell.value == expected, (key, r)
            if kind in formats:
                assert cell.number_format == formats[kind], key
    # hand-worked cells: a1's handled, QA avg, (zero) bonus, hours with one decimal, AHT 230 s = 0:03:50
    def cell(agent_row: int, header: str):
        return main.cell(row=agent_row, column=headers.index(header) + 1)

    assert (cell(2, "Handled").value, cell(2, "QA avg (policy)").value, cell(2, "Bonus").value) == (4, 87.5, 0)
    assert (cell(2, "Worked hours").value, cell(2, "Worked hours").number_format) == (10.0, "0.0")
    assert (cell(2, "AHT").number_format, cell(2, "AHT").value) == ("[h]:mm:ss", timedelta(minutes=3, seconds=50))
    assert cell(2, "Reasons").alignment.wrap_text
    totals_row = [c.value for c in main[5]]
    assert totals_row[0] == "Total" and totals_row[headers.index("Handled")] == 5  # a1 4 + a2 1 + a3 0
    assert totals_row[headers.index("Worked hours")] == 10.0 and totals_row[headers.index("AHT")] is None
    info = [[c.value for c in row] for row in book["Policy and totals"].iter_rows()]
    assert ["agents", 3] in info and ["handled", 5] in info and ["bonus total", 0] in info
    assert ["agents not in roster", "a2"] in info and ["policy", "example-quality-bonus"] in info
    policy_lines = [row[0] for row in info[info.index(["Policy file", None]) + 1:]]
    assert policy_lines == [line or None for line in POLICY_TEXT.splitlines()]


def test_xlsx_in_chinese_with_a_sheet_per_team(october_store):
    chinese = load_settings(tz="Asia/Shanghai")  # the zone's default language: zh-CN
    sheet = computed(october_store, OCTOBER, chinese, ROSTER, POLICY, POLICY_TEXT)
    book = openpyxl.load_workbook(io.BytesIO(sheet.export("xlsx", by_team=True)))
    assert book.sheetnames == ["工资表 2026-10", "(not in roster)", "blue", "政策与合计"]
    assert [c.value for c in book["工资表 2026-10"][1]][:8] == [
        "姓名", "班组", "档位", "奖金", "调整", "最佳坐席奖", "应发", "原因"]
    blue = book["blue"]
    assert [row[2].value for row in blue.iter_rows(min_row=2)] == ["poor", "poor", None]  # a1, a3, totals
    assert blue.cell(4, 1).value == "合计"
    assert ["人数", 3] in [[c.value for c in row] for row in book["政策与合计"].iter_rows()]


def test_money_format_follows_the_policy_currency():
    assert money_format("CNY") == '"¥"#,##0.00' and money_format("usd") == '"$"#,##0.00'
    assert money_format("CHF") == '#,##0.00 "CHF"'


def test_csv_read_back(october_store):
    sheet = computed(october_store, OCTOBER, SETTINGS, ROSTER, POLICY, POLICY_TEXT)
    data = sheet.export("csv")
    assert data.startswith(BOM)  # Excel on a Chinese Windows reads names right only with it
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == [key for key, _, _ in sheet.columns]
    a1 = dict(zip(lines[0], lines[1]))
    assert (a1["agent_id"], a1["handled_total"], a1["qa_avg_combined"], a1["amount"]) == ("a1", "4", "87.5", "0.00")
    assert (a1["resolution_rate"], a1["aht_s"], a1["card_total"]) == ("0.666667", "230.0", "0")
    assert dict(zip(lines[0], lines[3]))["aht_s"] == ""  # a3: no contacts, no AHT


def test_close_then_export_twice_is_byte_identical_and_late_events_are_listed(october_store, payroll_store):
    rollup = monthly_rollup(october_store, OCTOBER, SETTINGS, ROSTER)
    closed = close_month(payroll_store, october_store.db,
                         CloseInputs(rollup, ROSTER, ROSTER_CSV, POLICY, POLICY_TEXT), "clerk")
    assert len(closed.checksum) == 64 and [r["agent_id"] for r in closed.rows] == ["a1", "a2", "a3"]
    assert closed.roster_text == ROSTER_CSV and closed.policy_text == POLICY_TEXT

    def export(fmt: str) -> bytes:
        sheet = month_sheet(october_store, payroll_store, OCTOBER, SETTINGS, ROSTER, POLICY, POLICY_TEXT)
        assert sheet.closed
        return sheet.export(fmt)

    first_xlsx, first_csv = export("xlsx"), export("csv")
    time.sleep(2.1)  # past the ZIP format's 2-second clock: a wall-clock stamp would show
    time.sleep(0.01)
    late = [event("complaint.filed", 86_400, OCT5, agent_id="a3", valid=True, escalated=False),  # 6 Oct
            event("survey.csat", 40 * 86_400, OCT5, contact_id="c1", score=5),  # November, for an October contact
            event("complaint.filed", 60 * 86_400, OCT5, agent_id="a3", valid=True, escalated=False)]  # December
    ingest(october_store, late)
    assert export("xlsx") == first_xlsx and export("csv") == first_csv  # late events are not applied
    book = openpyxl.load_workbook(io.BytesIO(first_xlsx))
    stamp = datetime.fromtimestamp(closed.closed_ms // 1000, timezone.utc).replace(tzinfo=None)
    assert book.properties.created == stamp and book.properties.modified == stamp

    listed = late_events(october_store, closed)
    assert [(e["event_id"], e["type"]) for e in listed] == [(late[0]["event_id"], "complaint.filed"),
                                                            (late[1]["event_id"], "survey.csat")]
    # the same rollup now differs: the checksum would not match the closed one
    with pytest.raises(ClosingError, match="2026-10 is closed"):
        close_month(payroll_store, october_store.db,
                    CloseInputs(monthly_rollup(october_store, OCTOBER, SETTINGS, ROSTER), ROSTER, ROSTER_CSV, POLICY,
                                POLICY_TEXT), "clerk")


def test_an_open_month_is_not_closed(payroll_store):
    assert find_closed(payroll_store, OCTOBER) is None
