-- Customers' erasures (`cckpi privacy erase`): who asked for it, when, and how many rows it blanked or
-- removed per place, never the customer's key or pseudonym (PIPL / GDPR erasure requests are recorded).
CREATE TABLE IF NOT EXISTS {db}.erasures
(
    at_ms Int64,
    who String,
    contact_facts UInt64,
    events UInt64,
    customer_contacts UInt64,
    dead_letters UInt64
)
ENGINE = MergeTree()
ORDER BY at_ms;
