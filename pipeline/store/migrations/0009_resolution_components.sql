-- resolution_rate (resolved / answered contacts with a disposition) in every
-- pre-aggregate (issue 22): FCR's fcr_with_disposition leaves out escalated
-- contacts where a queue sets fcr_exclude_escalated, so the disposed contacts
-- are a component of their own, and so are the resolved ones (FCR's resolved
-- count applies the repeat window).  Rows built before this read 0 here, but
-- their built_with (which now names the FCR exclusion and the CSAT cut-off)
-- differs from the settings', so they are not read until rebuilt: the report
-- reads the facts meanwhile (`cckpi rebuild` rebuilds them).
ALTER TABLE {db}.queue_intervals ADD COLUMN resolved UInt64 DEFAULT 0;
ALTER TABLE {db}.queue_intervals ADD COLUMN disposed UInt64 DEFAULT 0;
ALTER TABLE {db}.agent_intervals ADD COLUMN resolved UInt64 DEFAULT 0;
ALTER TABLE {db}.agent_intervals ADD COLUMN disposed UInt64 DEFAULT 0;
ALTER TABLE {db}.agent_days ADD COLUMN resolved UInt64 DEFAULT 0;
ALTER TABLE {db}.agent_days ADD COLUMN disposed UInt64 DEFAULT 0
