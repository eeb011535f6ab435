-- Validates the constraint migrations/0013 added NOT VALID, in a transaction of its own: VALIDATE
-- takes SHARE UPDATE EXCLUSIVE, so analyses are read and written while it scans the table
-- (docs/deploy.md). Every row satisfies it already; this makes PostgreSQL know it.
ALTER TABLE analyses VALIDATE CONSTRAINT analyses_deleted_content;
