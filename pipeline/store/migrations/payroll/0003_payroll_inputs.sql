-- Supervisor inputs per agent and month that no event carries (attitude,
-- teamwork, compliance breaches, business errors, fraud orders, callbacks and
-- tickets due and done), imported from CSV by `cckpi payroll inputs`.  Every
-- import is a new row with the exact CSV text and is also a version in
-- payroll_audit (action 'inputs'); the latest import of a month is in force,
-- and a close freezes it with the rows.
CREATE TABLE IF NOT EXISTS {db}.payroll_inputs
(
    month String,
    at_ms Int64,
    who String,
    source String,
    text String
)
ENGINE = MergeTree()
ORDER BY (month, at_ms);
