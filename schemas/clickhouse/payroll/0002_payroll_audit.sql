-- Every close and reopen of a month, in the payroll database only: who did it
-- (OS user or --by), when, why (a reopen's reason), sha256 of the policy text,
-- the roster text and all inputs, and the totals (JSON).  ``version`` counts
-- the month's actions from 1; the highest says whether the month is closed
-- (action 'close', its frozen rows are those with closed_ms = at_ms) or open
-- again ('reopen').  Rows are only ever added, so every version stays readable.
CREATE TABLE IF NOT EXISTS {db}.payroll_audit
(
    month String,
    version UInt32,
    action String,
    at_ms Int64,
    who String,
    reason String,
    policy_name String,
    policy_sha256 String,
    roster_sha256 String,
    inputs_sha256 String,
    totals String
)
ENGINE = MergeTree()
ORDER BY (month, version);

-- Corrections of earlier closed months booked by a close (the way payroll
-- books a correction in the next period): ``month`` and ``closed_ms`` name the
-- close that carries the line, ``for_month`` the month it corrects; ``line`` is
-- the JSON line (frozen, now, already booked, amount, reason).
CREATE TABLE IF NOT EXISTS {db}.payroll_adjustments
(
    month String,
    closed_ms Int64,
    position UInt32,
    agent_id String,
    for_month String,
    line String
)
ENGINE = MergeTree()
ORDER BY (month, closed_ms, position);
