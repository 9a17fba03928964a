"""The payroll CSV and workbook neutralise text that a spreadsheet would run, and keep money a number."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl

from pipeline.payroll.sheet_files import BOM, SheetMeta, csv_bytes, xlsx_bytes

COLUMNS = [("agent_id", "Agent", "text"), ("team", "Team", "text"), ("bonus", "Bonus", "money"),
           ("reasons", "Reasons", "text")]
# an agent id copied from an Asterisk agent field, and a deduction (negative money) that is a number
ROWS = [{"agent_id": "=HYPERLINK(\"http://x\",\"y\")", "team": "+t1", "bonus": -50.0, "reasons": "@fatal error"},
        {"agent_id": "a2", "team": "t1", "bonus": 120.5, "reasons": "QA 95"}]
META = SheetMeta(month="2026-10", tz="Asia/Shanghai", policy_name="p", policy_text="=cmd\nname: p", currency="CNY",
                 not_in_roster=("-x1",))


def test_csv_cells_that_start_like_a_formula_get_an_apostrophe():
    rows = list(csv.reader(io.StringIO(csv_bytes(ROWS, COLUMNS).removeprefix(BOM).decode("utf-8"))))
    assert rows[1] == ["'=HYPERLINK(\"http://x\",\"y\")", "'+t1", "-50.0", "'@fatal error"]
    assert rows[2] == ["a2", "t1", "120.5", "QA 95"]


def test_workbook_cells_are_text_not_formulas_and_money_stays_a_number():
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(ROWS, COLUMNS, [], META)))
    main = book.worksheets[0]
    first = list(main.iter_rows(min_row=2, max_row=2))[0]
    assert [c.data_type for c in first] == ["s", "s", "n", "s"]
    assert [c.value for c in first] == ["'=HYPERLINK(\"http://x\",\"y\")", "'+t1", Decimal("-50"), "'@fatal error"]
    policy = book.worksheets[-1]
    cells = [c for row in policy.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # the policy text and names too
    assert "'=cmd" in [c.value for c in cells] and "'-x1" in [c.value for c in cells]
