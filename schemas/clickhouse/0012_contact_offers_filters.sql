-- The contact listing's filters beside the offered-time index (issue 26: a
-- month's page at 50M facts in under a second).  contact_offers is ordered by
-- (offered_ms, contact_id), the listing's own order, so with the filters here
-- a page walks the month in growing windows of offered time and reads only the
-- index rows of those windows; contact_facts is read for the page's contacts
-- alone.  Every state written adds an index row with the state's values; a
-- contact's rows share their key (offered_ms, contact_id) and the merge keeps
-- the last one written, the latest state's, and a row of an older state only
-- adds a candidate that the listing's check of the latest fact drops.
-- Rows written before this read '' and 0 here; the backfill below writes each
-- offered contact's latest values again (later, so the merge keeps them).  It
-- reads the facts FINAL one part of the contacts at a time (memory): on a
-- 50M-fact store a few minutes of the server's time, while the store serves.
ALTER TABLE {db}.contact_offers ADD COLUMN direction String DEFAULT '';
ALTER TABLE {db}.contact_offers ADD COLUMN queue String DEFAULT '';
ALTER TABLE {db}.contact_offers ADD COLUMN channel String DEFAULT '';
ALTER TABLE {db}.contact_offers ADD COLUMN agent_id String DEFAULT '';
ALTER TABLE {db}.contact_offers ADD COLUMN is_answered UInt8 DEFAULT 0;
ALTER TABLE {db}.contact_offers ADD COLUMN is_abandoned UInt8 DEFAULT 0;
ALTER TABLE {db}.contact_offers ADD COLUMN is_waiting UInt8 DEFAULT 0;
INSERT INTO {db}.contact_offers (offered_ms, contact_id, direction, queue, channel, agent_id, is_answered,
                                 is_abandoned, is_waiting)
SELECT offered_ms, contact_id, direction, queue, channel, agent_id, is_answered, is_abandoned,
       NOT is_answered AND NOT is_abandoned AND isNull(ended_ms)
FROM {db}.contact_facts FINAL
WHERE has_offered AND cityHash64(contact_id) % {parts} = {part}
