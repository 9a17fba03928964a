"""The one formula-injection rule every CSV/XLSX writer uses (OWASP: prefix an apostrophe, strings only)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipeline.spreadsheet_cells import neutralised


@pytest.mark.parametrize("text, expected", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+1+1", "'+1+1"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("＝1+1", "'＝1+1"),  # full-width equals sign
    ("-5", "'-5"),  # text that looks like a number is still text
    ("a=1", "a=1"),  # only the first character counts
    ("售后", "售后"),
    ("", ""),
])
def test_text_starting_like_a_formula_gets_an_apostrophe(text, expected):
    assert neutralised(text) == expected


@pytest.mark.parametrize("value", [-5, -1.5, Decimal("-100.00"), 0, None, True])
def test_numbers_and_other_values_stay_as_they_are(value):
    assert neutralised(value) is value
