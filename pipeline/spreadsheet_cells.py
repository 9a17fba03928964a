"""One rule for every cell a CSV or XLSX writer puts in a file: text that a spreadsheet would run stays text.

A queue, agent id or contact id is copied through as a source wrote it (an
Asterisk agent field can hold ``=HYPERLINK(...)``); a spreadsheet opening the
file runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after
trimming, one that starts with a tab or carriage return), and openpyxl stores
such a string as a real formula. OWASP's "CSV injection" advice: prefix the
text with an apostrophe, so it is shown as written and never evaluated. Only
strings are touched: a negative number is a number, not text to neutralise.
The full-width forms (``＝`` ``＋`` ``－`` ``＠``) are included because
spreadsheets in a Chinese locale turn them into formula signs as typed.

Below every other room (it imports nothing of the package), so the report,
the payroll exports and the web app all use it without an import cycle.
"""

from __future__ import annotations

from typing import Any, TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

T = TypeVar("T")


def neutralised(value: T) -> T | str:
    """``value`` unchanged unless it is text starting like a formula; then the same text after an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised_row(values: Any) -> list[Any]:
    """Every cell of a row through ``neutralised``."""
    return [neutralised(v) for v in values]
