-- One row per contact, replaced by later versions (a replay or a worker flush
-- writes the whole merged state again).  No PARTITION BY: a contact's offered
-- time can arrive after its other events, and a replacement must land in the
-- same part key to collapse.  `state` is the mergeable contact state (JSON),
-- so a later batch of events for the same contact merges with what is stored.
CREATE TABLE IF NOT EXISTS {db}.contact_facts
(
    contact_id String,
    version UInt64,
    has_offered UInt8,
    offered_ms Int64,
    offered_at DateTime('UTC') MATERIALIZED toDateTime(intDiv(offered_ms, 1000)),
    queue String,
    channel String,
    direction String,
    customer_key String,
    agent_id String,
    is_answered UInt8,
    is_abandoned UInt8,
    answered_ms Nullable(Int64),
    abandoned_ms Nullable(Int64),
    ended_ms Nullable(Int64),
    wrapup_ms Nullable(Int64),
    wait_ms Nullable(Int64),
    hold_ms Int64,
    talk_ms Nullable(Int64),
    acw_ms Nullable(Int64),
    handle_ms Nullable(Int64),
    wrapup_complete UInt8,
    disposition String,
    transferred UInt8,
    first_response_ms Nullable(Int64),
    csat Nullable(UInt8),
    nps Nullable(UInt8),
    state String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY contact_id;
