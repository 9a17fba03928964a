-- FCR without a read-time join (issue 13).  Before this, every read of FCR
-- joined each contact to the array of its customer's later offers; at 50
-- million contacts a month that join needed more than 8 GB.
--
-- customer_contacts: which contacts each customer made (offered ones with a
-- customer_key, either direction), ordered by customer, so a write looks up
-- the chains of its batch's customers by primary key.  The latest version of
-- a contact's row wins.
CREATE TABLE IF NOT EXISTS {db}.customer_contacts
(
    customer_key String,
    contact_id String,
    offered_ms Int64,
    direction String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (customer_key, contact_id);

-- contact_next: for a contact, the offered time of the same customer's next
-- inbound contact (offered strictly later).  Every writer inserts what its own
-- view of customer_contacts shows (a successor of its contacts, and its new
-- inbound contacts as the successor of their predecessors); the true value is
-- the smallest one inserted, min() being indifferent to the order in which
-- concurrent writers land (docs/store.md).  No row: no later inbound contact.
CREATE TABLE IF NOT EXISTS {db}.contact_next
(
    contact_id String,
    next_offered_ms Int64
)
ENGINE = ReplacingMergeTree()
ORDER BY (contact_id, next_offered_ms);

INSERT INTO {db}.customer_contacts (customer_key, contact_id, offered_ms, direction, version)
SELECT customer_key, contact_id, offered_ms, direction, version FROM {db}.contact_facts FINAL
WHERE has_offered AND customer_key != '';

-- Per customer, no join: ClickHouse 18.16 cannot compute a lambda over both
-- sides of a join.  The GROUP BY holds the offers of every customer it groups,
-- so it runs in parts, a sixteenth of the customers each (migrations/__init__.py),
-- as cckpi bench links its 50 million generated facts in ten (next_contact.backfill).
INSERT INTO {db}.contact_next (contact_id, next_offered_ms)
SELECT contact_id, next_offered_ms FROM (
    SELECT contact.2 AS contact_id, arrayFirst(x -> x > contact.1, inbound) AS next_offered_ms
    FROM (SELECT groupArray((offered_ms, contact_id)) AS contacts,
                 arraySort(groupArrayIf(offered_ms, direction = 'inbound')) AS inbound
          FROM {db}.contact_facts FINAL
          WHERE has_offered AND customer_key != '' AND cityHash64(customer_key) % {parts} = {part}
          GROUP BY customer_key)
    ARRAY JOIN contacts AS contact
) WHERE next_offered_ms > 0;

-- queue_intervals gains every component the catalogue needs, so dashboards and
-- long reports read no facts: abandon reasons and time conflicts (issue 12),
-- FCR (resolved contacts with no later inbound contact, and for the others the
-- gap to it, so the window is compared at read time and changing
-- fcr_window_days needs no rebuild), the chat FRT values (the p90 is not
-- additive), and built_with, the thresholds the row was computed with: a row
-- built with other thresholds than the settings' is not read (the facts are).
ALTER TABLE {db}.queue_intervals ADD COLUMN abandoned_customer UInt64 DEFAULT 0;
ALTER TABLE {db}.queue_intervals ADD COLUMN abandoned_timeout UInt64 DEFAULT 0;
ALTER TABLE {db}.queue_intervals ADD COLUMN abandoned_empty UInt64 DEFAULT 0;
ALTER TABLE {db}.queue_intervals ADD COLUMN abandoned_key UInt64 DEFAULT 0;
ALTER TABLE {db}.queue_intervals ADD COLUMN time_conflicts UInt64 DEFAULT 0;
ALTER TABLE {db}.queue_intervals ADD COLUMN fcr_with_disposition UInt64 DEFAULT 0;
ALTER TABLE {db}.queue_intervals ADD COLUMN fcr_unrepeated UInt64 DEFAULT 0;
ALTER TABLE {db}.queue_intervals ADD COLUMN fcr_repeat_gaps_ms Array(Int64);
ALTER TABLE {db}.queue_intervals ADD COLUMN frt_values_ms Array(Int64);
ALTER TABLE {db}.queue_intervals ADD COLUMN built_with String DEFAULT '';

-- The same components per agent (and queue, channel, direction), for reports by
-- agent over a few hours: agent_intervals, 15-minute rows rebuilt from the facts.
CREATE TABLE IF NOT EXISTS {db}.agent_intervals
(
    agent_id String,
    queue String,
    channel String,
    direction String,
    interval_start DateTime('UTC'),
    version UInt64,
    offered UInt64,
    answered UInt64,
    abandoned UInt64,
    abandoned_customer UInt64,
    abandoned_timeout UInt64,
    abandoned_empty UInt64,
    abandoned_key UInt64,
    time_conflicts UInt64,
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
    fcr_with_disposition UInt64,
    fcr_unrepeated UInt64,
    fcr_repeat_gaps_ms Array(Int64),
    csat_responses UInt64,
    csat_sum UInt64,
    csat_top2 UInt64,
    nps_responses UInt64,
    nps_promoters UInt64,
    nps_detractors UInt64,
    frt_values_ms Array(Int64),
    built_with String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(interval_start)
ORDER BY (interval_start, agent_id, queue, channel, direction);

-- And per local day, summed from agent_intervals when a write rebuilds any of
-- the day's intervals: with 2,000 agents a month is 5.8 million 15-minute rows
-- but 60,000 daily ones, so the agent scorecard and monthly reports by agent
-- read this.  interval_start is the local day's start.
CREATE TABLE IF NOT EXISTS {db}.agent_days
(
    agent_id String,
    queue String,
    channel String,
    direction String,
    interval_start DateTime('UTC'),
    version UInt64,
    offered UInt64,
    answered UInt64,
    abandoned UInt64,
    abandoned_customer UInt64,
    abandoned_timeout UInt64,
    abandoned_empty UInt64,
    abandoned_key UInt64,
    time_conflicts UInt64,
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
    fcr_with_disposition UInt64,
    fcr_unrepeated UInt64,
    fcr_repeat_gaps_ms Array(Int64),
    csat_responses UInt64,
    csat_sum UInt64,
    csat_top2 UInt64,
    nps_responses UInt64,
    nps_promoters UInt64,
    nps_detractors UInt64,
    frt_values_ms Array(Int64),
    built_with String
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(interval_start)
ORDER BY (interval_start, agent_id, queue, channel, direction)
