-- Agent-state changes are ordered by (time, source sequence): rows of one
-- second keep the source's order (a queue_log line number, FreeSWITCH's
-- Event-Sequence), so a PAUSE written in the same second as the ADDMEMBER
-- before it wins.  Rows stored before this column existed have seq 0 and
-- keep the time order they had (ties broken by event id, as before).
-- ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS: the version recorded in
-- schema_migrations is what keeps this from running twice.
ALTER TABLE {db}.agent_states ADD COLUMN seq Int64 DEFAULT 0 AFTER ts_ms
