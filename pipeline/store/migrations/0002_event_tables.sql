-- Every accepted event as received (customer identifiers already pseudonymised),
-- kept for audit, rebuilds and the payroll late-event check.  A duplicate
-- event_id collapses into one row.
CREATE TABLE IF NOT EXISTS {db}.events
(
    event_id String,
    type String,
    ts_ms Int64,
    ts DateTime('UTC') MATERIALIZED toDateTime(intDiv(ts_ms, 1000)),
    contact_id String,
    agent_id String,
    ingested_ms Int64,
    raw String
)
ENGINE = ReplacingMergeTree(ingested_ms)
PARTITION BY toYYYYMM(ts)
ORDER BY (type, event_id);

CREATE TABLE IF NOT EXISTS {db}.qa_evaluations
(
    event_id String,
    ts_ms Int64,
    contact_id String,
    agent_id String,
    score Float64,
    fatal_errors UInt32,
    nonfatal_errors UInt32,
    opportunities UInt32,
    source String
)
ENGINE = ReplacingMergeTree()
ORDER BY event_id;

CREATE TABLE IF NOT EXISTS {db}.complaints
(
    event_id String,
    ts_ms Int64,
    agent_id String,
    contact_id String,
    valid UInt8,
    escalated UInt8
)
ENGINE = ReplacingMergeTree()
ORDER BY event_id;

CREATE TABLE IF NOT EXISTS {db}.agent_states
(
    event_id String,
    ts_ms Int64,
    agent_id String,
    state String,
    reason String
)
ENGINE = ReplacingMergeTree()
ORDER BY (agent_id, ts_ms, event_id);
