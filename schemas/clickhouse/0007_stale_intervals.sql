-- The 15-minute intervals a worker wrote contacts of but has not rebuilt yet.
-- While a worker catches up on a backlog (full batches), it rebuilds the
-- pre-aggregates every settings.catch_up_refresh_s instead of after every
-- batch (the rebuild was half of a flush); the intervals it defers are written
-- here before the batch's offsets are committed, so a worker that dies first
-- leaves them for the next one to rebuild when it starts (docs/worker.md).
-- The latest version of an interval's rows says whether it is stale: a
-- rebuild writes stale = 0 with a version taken before it read the facts, so a
-- contact written (and marked stale) during the rebuild keeps its mark.
CREATE TABLE IF NOT EXISTS {db}.stale_intervals
(
    interval_ms Int64,
    version UInt64,
    stale UInt8
)
ENGINE = ReplacingMergeTree(version)
ORDER BY interval_ms
