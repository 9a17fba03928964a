-- Web accounts and what people do on their pages, in the payroll database
-- only (the wallboard's database user cannot read a password hash or a pay
-- acknowledgement).  Every table is append-only, like the payroll tables.
--
-- people_users: one row per change of an account (add, passwd, disable);
-- the highest version of a username is in force.  password_hash is argon2id
-- (PHC string); the password itself is never stored.
CREATE TABLE IF NOT EXISTS {db}.people_users
(
    username String,
    version UInt32,
    at_ms Int64,
    role String,
    agent_id String,
    team String,
    password_hash String,
    disabled UInt8,
    who String
)
ENGINE = MergeTree()
ORDER BY (username, version);

-- Logins (and refused ones), logouts and every payroll action taken on the
-- web pages: who, when, from which address, what (never a password or a
-- session id).  Closes, reopens and inputs are also versions in payroll_audit.
CREATE TABLE IF NOT EXISTS {db}.people_audit
(
    at_ms Int64,
    who String,
    action String,
    address String,
    detail String
)
ENGINE = MergeTree()
ORDER BY (at_ms, who);

-- An agent's acknowledgement of a closed month's scorecard: once per agent
-- and month (the first row counts), with the account that signed and when.
CREATE TABLE IF NOT EXISTS {db}.scorecard_acks
(
    month String,
    agent_id String,
    username String,
    at_ms Int64
)
ENGINE = MergeTree()
ORDER BY (month, agent_id, at_ms);

-- The supervisor's coaching note and improvement plan per agent and month;
-- every save is a row, the latest is in force.
CREATE TABLE IF NOT EXISTS {db}.coaching_notes
(
    month String,
    agent_id String,
    at_ms Int64,
    who String,
    note String,
    plan String
)
ENGINE = MergeTree()
ORDER BY (month, agent_id, at_ms);
