-- Payroll tables live ONLY in the payroll database (the payroll store URL's
-- database, default cckpi_payroll), which the payroll user alone may read.
-- A closed month is written once and never updated: payroll_closes holds what
-- it was computed from (policy and roster text, checksum of the inputs),
-- payroll_rows the frozen sheet rows (JSON, one per agent) that every later
-- export writes unchanged.  Rows belong to their close by (month, closed_ms).
CREATE TABLE IF NOT EXISTS {db}.payroll_closes
(
    month String,
    closed_ms Int64,
    checksum String,
    tz String,
    source_db String,
    policy_name String,
    policy_text String,
    roster_text String,
    meta String
)
ENGINE = MergeTree()
ORDER BY (month, closed_ms);

CREATE TABLE IF NOT EXISTS {db}.payroll_rows
(
    month String,
    closed_ms Int64,
    position UInt32,
    agent_id String,
    row String
)
ENGINE = MergeTree()
ORDER BY (month, closed_ms, position);
