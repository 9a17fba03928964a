-- qa.evaluated carries business errors, tariff errors and fraud orders apart
-- (003's service-quality bonus counts 业务差错, 资费差错 and 诈单 by QA source);
-- evaluations stored before this migration count 0 of each, as the contract's
-- default says.
ALTER TABLE {db}.qa_evaluations ADD COLUMN business_errors UInt32 DEFAULT 0;
ALTER TABLE {db}.qa_evaluations ADD COLUMN tariff_errors UInt32 DEFAULT 0;
ALTER TABLE {db}.qa_evaluations ADD COLUMN fraud_orders UInt32 DEFAULT 0;
