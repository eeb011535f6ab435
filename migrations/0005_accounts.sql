-- PLACEHOLDER, not the real migration: 0005 is reserved for the accounts helper (API keys).
-- The reconciliation branch needs a contiguous 0001..0006 to run its tests; at merge, take the
-- accounts branch's 0005_accounts.sql and drop this file's content.
SELECT 1;
