-- Penalty deductions and manual bonus lines per agent and month, each with its
-- reason (003 "严重警告,并进行扣款"), imported from CSV by `cckpi payroll lines`.
-- Like payroll_inputs: every import is a new row with the exact CSV text and a
-- version in payroll_audit (action 'lines'); the latest import of a month is
-- in force, and a close freezes it with the rows.
CREATE TABLE IF NOT EXISTS {db}.payroll_manual_lines
(
    month String,
    at_ms Int64,
    who String,
    source String,
    text String
)
ENGINE = MergeTree()
ORDER BY (month, at_ms);

-- A policy that declares its own inputs (points-ranking's daily orders,
-- card-100's monthly counts) keeps them apart from every other policy's: the
-- latest import of a month *for that policy* is in force.  Imports for the
-- built-in supervisor columns keep policy '' (as every import before).
ALTER TABLE {db}.payroll_inputs ADD COLUMN policy String DEFAULT ''
