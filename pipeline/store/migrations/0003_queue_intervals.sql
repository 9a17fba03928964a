-- Additive components per queue, channel, direction and 15-minute interval
-- (local clock of the centre), for wallboards and interval reports that must
-- not scan every contact.  Rebuilt for the intervals a write touched from
-- contact_facts (INSERT ... SELECT with the same component SQL as reports),
-- so a later version replaces an earlier one.  FCR, FRT percentiles, QA and
-- complaints are not here: they depend on later contacts or other tables and
-- are read from the facts.
CREATE TABLE IF NOT EXISTS {db}.queue_intervals
(
    queue String,
    channel String,
    direction String,
    interval_start DateTime('UTC'),
    version UInt64,
    offered UInt64,
    answered UInt64,
    abandoned UInt64,
    short_abandoned UInt64,
    answered_within_sl UInt64,
    abandoned_within_sl UInt64,
    waiting UInt64,
    sl_numerator UInt64,
    sl_denominator UInt64,
    wait_answered_sum_ms Int64,
    aht_contacts UInt64,
    handle_sum_ms Int64,
    talk_sum_ms Int64,
    hold_sum_ms Int64,
    acw_sum_ms Int64,
    frt_contacts UInt64,
    frt_sum_ms Int64,
    frt_within_target UInt64,
    transferred UInt64,
    csat_responses UInt64,
    csat_sum UInt64,
    csat_top2 UInt64,
    nps_responses UInt64,
    nps_promoters UInt64,
    nps_detractors UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(interval_start)
ORDER BY (queue, channel, direction, interval_start);
