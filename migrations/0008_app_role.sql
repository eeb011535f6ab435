-- The application role (SPEC §7, least privilege; docs/database.md). Every function, npm start,
-- the tests and the command-line tools connect as `stock_app`; only the migration runner uses
-- the admin role (the RDS master). `stock_app` owns nothing, cannot log in without the password
-- the deploy (or npm start, or the test setup) gives it, and may only run the DML below.
-- Roles are cluster-wide and tests migrate many databases on one server at once, so creating it
-- tolerates a concurrent runner that created it first.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stock_app') THEN
    BEGIN
      CREATE ROLE stock_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
        NOINHERIT CONNECTION LIMIT -1;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database's migration created it a moment ago
    END;
  END IF;
  -- The API's session timeouts, as role defaults: RDS Proxy refuses them in the startup message.
  -- Written only when unset, so a value chosen at deploy (configureAppRole in functions/platform/migrations.ts) stays.
  IF NOT EXISTS (
    SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
    WHERE r.rolname = 'stock_app' AND s.setdatabase = 0
      AND EXISTS (SELECT 1 FROM unnest(s.setconfig) c WHERE c LIKE 'statement_timeout=%')
  ) THEN
    ALTER ROLE stock_app SET statement_timeout = '5s';
    ALTER ROLE stock_app SET idle_in_transaction_session_timeout = '10s';
  END IF;
  -- Connecting, but no temporary tables (PUBLIC has TEMPORARY by default): the application never
  -- needs one, and one would pin its RDS Proxy session.
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO stock_app', current_database());
END
$$;

-- PostgreSQL 15+ no longer lets PUBLIC create in `public`; say so anyway for servers that did.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO stock_app;

-- Per table, exactly what the stores' SQL does (UPDATE also covers ON CONFLICT DO UPDATE and
-- SELECT … FOR UPDATE). Nothing deletes: rows are kept (revoked keys, dead outbox rows).
GRANT SELECT, INSERT, UPDATE ON users TO stock_app;                  -- platform/users, key/rule stores lock the user row
GRANT SELECT, INSERT, UPDATE ON latest_prices TO stock_app;          -- consumer upsert, market, analyze
GRANT SELECT, INSERT ON quarantined_ticks TO stock_app;              -- consumer (ON CONFLICT reads the key)
GRANT USAGE ON SEQUENCE quarantined_ticks_id_seq TO stock_app;       -- its identity column
GRANT SELECT, INSERT ON analyses TO stock_app;                       -- analyze, history
GRANT SELECT, INSERT ON usage_events TO stock_app;                   -- the ledger: append only
GRANT SELECT, INSERT, UPDATE ON usage_totals TO stock_app;           -- analyze upserts totals
GRANT SELECT, INSERT, UPDATE ON billing_outbox TO stock_app;         -- analyze, sync, reconciliation
GRANT SELECT, INSERT ON billing_customers TO stock_app;              -- sync
GRANT SELECT, INSERT, UPDATE ON invoice_counters TO stock_app;       -- invoice close
GRANT SELECT, INSERT, UPDATE ON invoices TO stock_app;               -- invoice close, overdue, payment
GRANT SELECT, INSERT ON invoice_lines TO stock_app;                  -- invoice close, bill
GRANT SELECT, INSERT, UPDATE ON api_keys TO stock_app;               -- create, list, revoke, last use
GRANT SELECT, INSERT, UPDATE ON rule_settings TO stock_app;          -- settings upsert, analyze
GRANT SELECT, INSERT, UPDATE ON reconciliation_runs TO stock_app;    -- reconciliation lease
GRANT SELECT, INSERT ON reconciliation_resends TO stock_app;         -- reconciliation
GRANT SELECT, INSERT, UPDATE ON daily_bars TO stock_app;             -- consumer, bhavcopy import, history
GRANT SELECT, INSERT ON corporate_actions TO stock_app;              -- corporate-actions import, history
-- schema_migrations: none. The runner connects as the admin role.
