-- A contact whose source clocks contradict each other (answered before offered,
-- ended before answered, ...) is stored with every negative duration taken as
-- 0 and flagged here, so reports count and list it (DESIGN.md section 2).
-- Why a contact was abandoned (customer, timeout, empty, key) is kept so that
-- reports can split the abandoned count; '' for a contact that was not
-- abandoned, and for abandoned contacts stored before this column existed,
-- which the reports count as `customer` (the contract's default).
-- ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS: the version recorded in
-- schema_migrations is what keeps this from running twice.
ALTER TABLE {db}.contact_facts ADD COLUMN time_conflict UInt8 DEFAULT 0 AFTER nps;
ALTER TABLE {db}.contact_facts ADD COLUMN abandon_reason String DEFAULT '' AFTER time_conflict
