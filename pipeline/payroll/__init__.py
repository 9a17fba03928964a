"""Monthly payroll: roster + store rollup + policy -> scorecards, bonus amounts, exports, closed months.

The chain is rollup (store) -> scorecard (pure) -> rows -> export; closing a
month freezes the rows so a later export is byte-identical.
"""
