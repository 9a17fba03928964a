"""Contact files: formula-looking text neutralised (numbers kept), RFC 6266 names, XLSX streamed from disk."""

from __future__ import annotations

import csv
import hashlib
import io
import tracemalloc

import pytest
from openpyxl import load_workbook

from pipeline.web.contact_exports import attachment, csv_chunks, xlsx_chunks

COLUMNS = ("contact_id", "queue", "agent_id", "wait_s")
# an Asterisk agent field is copied through as written; wait_s -1.5 is a number (a clock behind), not text
ROWS = [{"contact_id": "@SUM(1+1)", "queue": "=HYPERLINK(\"http://x\",\"y\")", "agent_id": "-2+3+cmd", "wait_s": -1.5},
        {"contact_id": "c2", "queue": "售后", "agent_id": "a1", "wait_s": 3.0}]


def test_csv_cells_that_start_like_a_formula_get_an_apostrophe_and_numbers_stay_numbers():
    text = "".join(csv_chunks(COLUMNS, ROWS))
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[1] == ["'@SUM(1+1)", "'=HYPERLINK(\"http://x\",\"y\")", "'-2+3+cmd", "-1.5"]
    assert rows[2] == ["c2", "售后", "a1", "3.0"]


def test_xlsx_cells_are_text_not_formulas_and_numbers_stay_numbers():
    sheet = load_workbook(io.BytesIO(b"".join(xlsx_chunks(COLUMNS, ROWS)))).active
    first = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert [c.data_type for c in first] == ["s", "s", "s", "n"]  # "f" would be a formula Excel runs
    assert [c.value for c in first] == ["'@SUM(1+1)", "'=HYPERLINK(\"http://x\",\"y\")", "'-2+3+cmd", -1.5]


def test_a_chinese_file_name_goes_in_filename_star_as_utf8():
    header = attachment("contacts-售后.csv")["Content-Disposition"]
    assert header == "attachment; filename=\"contacts-__.csv\"; filename*=UTF-8''contacts-%E5%94%AE%E5%90%8E.csv"
    header.encode("latin-1")  # what an HTTP header must be


@pytest.mark.slow
def test_an_xlsx_export_is_streamed_in_chunks_without_holding_the_file_in_memory():
    """Rows of hashes (which compress little) make a file of about 1 MB: it is written to disk and read out in
    chunks, so the Python heap never holds it whole (before, ``xlsx_bytes`` returned it as one bytes object)."""
    rows = ({c: hashlib.sha256(f"{c}{i}".encode()).hexdigest() for c in COLUMNS} for i in range(5_000))
    tracemalloc.start()
    try:
        sizes = [len(chunk) for chunk in xlsx_chunks(COLUMNS, rows)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(sizes) > 3 and max(sizes) <= 64 * 1024
    assert peak < sum(sizes) / 2, (peak, sum(sizes))
