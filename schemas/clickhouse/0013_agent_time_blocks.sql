-- Agent time a local day at a time (issue 26: a month's report by agent and the
-- payroll rollup read every answered contact of the month into Python since
-- agent time lays contacts over the agents' states; 15 s for 1.5M contacts, and
-- not done after 8 minutes at 50M).  One row per agent and local day of the
-- time zone tz: its milliseconds per state in each 15-minute interval (the
-- non-zero ones), and the fingerprint of the inputs they were laid from.  A
-- read compares the fingerprint with its inputs' and lays the block again when
-- they changed (pipeline/store/agent_time_blocks.py), so no writer has to keep
-- this table current and a store upgraded to it needs no backfill: the first
-- report of a range lays its blocks.
CREATE TABLE IF NOT EXISTS {db}.agent_time_blocks
(
    tz String,
    day_ms Int64,
    agent_id String,
    fingerprint Int64,
    version UInt64,
    interval_ms Array(Int64),
    handle_state_ms Array(Int64),
    available_ms Array(Int64),
    logged_in_ms Array(Int64)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (tz, day_ms, agent_id)
