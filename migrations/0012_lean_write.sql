-- A leaner write of an analysis, same guarantees; reads that do not grow (issue 19 items 1, 2).
--
-- Measured by `npm run bench` (bench/write-cost.ts; figures and reasoning in docs/performance.md
-- "The write of an analysis": about a third less WAL and storage). What changes, and why each
-- step keeps every guarantee:
--
-- 1. Per-user counters by IST day, feature and unit price (`usage_daily`) replace the all-time
--    `usage_totals` row. The analyze statement upserts them (HOT updates: no indexed column
--    changes), so GET /api/usage and GET /api/billing sum at most a few hundred day rows instead
--    of a user's whole ledger, and the three usage_events indexes that served those sums go.
-- 2. The outbox stops copying the ledger: a row keeps its event id, its ledger row's key and its
--    sending state; who, how much, at what price and when are read from usage_events.
-- 3. Nothing stored twice in `analyses`: the advice is in the stored answer, so only its count
--    stays (history pages, the ledger check); the rule settings used, the same document for
--    almost every analysis, are stored once and referenced. The stored answer and the portfolio
--    are compressed inline (STORAGE MAIN, toast_tuple_target): `json` keeps its text
--    byte for byte, compression is lossless, so replays stay exact.

-- 1. Daily counters ------------------------------------------------------------------------
CREATE TABLE usage_daily (
  user_sub          text NOT NULL REFERENCES users (sub),
  -- The calendar day in Asia/Kolkata of the events' occurred_at.
  day               date NOT NULL,
  feature           text NOT NULL CHECK (feature IN ('portfolio_analysis', 'advice_generation')),
  unit_price_paise  bigint NOT NULL CHECK (unit_price_paise >= 0),
  quantity          bigint NOT NULL CHECK (quantity > 0),
  -- One user's days in order: GET /api/usage (all time, a period, a window), GET /api/billing,
  -- and the analyze statement's all-time totals are range scans of this key.
  PRIMARY KEY (user_sub, day, feature, unit_price_paise)
) WITH (fillfactor = 70); -- room on the page for the HOT updates of the day's rows
-- Everyone's days: ?scope=global windows, the users with usage in a month (invoices) or on a day
-- (reconciliation). Touched only when a user's first charge of a day creates its row.
CREATE INDEX usage_daily_day ON usage_daily (day, user_sub);

INSERT INTO usage_daily (user_sub, day, feature, unit_price_paise, quantity)
SELECT user_sub, (occurred_at AT TIME ZONE 'Asia/Kolkata')::date, feature, unit_price_paise, sum(quantity)
FROM usage_events
GROUP BY 1, 2, 3, 4;

DROP TABLE usage_totals;

-- The ledger keeps its key and one index: the reconciliation's events of some users on a day.
DROP INDEX usage_events_user_period;
DROP INDEX usage_events_time;
DROP INDEX usage_events_period_user;
DROP INDEX usage_events_user_time;
CREATE INDEX usage_events_user_time ON usage_events (user_sub, occurred_at);
-- The event's user is its analysis's (check-ledger proves it), whose own foreign key already
-- guarantees the user: this one only cost each charge a row lock on `users` (a WAL record).
ALTER TABLE usage_events DROP CONSTRAINT usage_events_user_sub_fkey;
-- The month is derived from occurred_at where it is needed; storing it cost every row 8 bytes.
ALTER TABLE usage_events DROP COLUMN billing_period;

-- 2. The outbox without copies -------------------------------------------------------------
ALTER TABLE billing_outbox
  DROP COLUMN user_sub,
  DROP COLUMN quantity,
  DROP COLUMN unit_price_paise,
  DROP COLUMN occurred_at,
  DROP COLUMN created_at;
-- The outbox row and its ledger row are written by the same statement; the foreign key's check
-- cost each a row lock (a WAL record) per charge. `npm run check-ledger` proves both directions.
ALTER TABLE billing_outbox DROP CONSTRAINT billing_outbox_analysis_id_feature_fkey;
-- The dead rows, oldest due first (GET /health, the OutboxDead metric, npm run redrive).
CREATE INDEX billing_outbox_dead_due ON billing_outbox (next_attempt_at) WHERE status = 'dead';

-- 3. The analysis row ----------------------------------------------------------------------
ALTER TABLE analyses ADD COLUMN advice_count smallint CHECK (advice_count >= 0);
-- Deleted analyses lost their advice; their count is their advice_generation charge.
UPDATE analyses a SET advice_count = coalesce(
  jsonb_array_length(a.advice),
  (SELECT e.quantity FROM usage_events e WHERE e.analysis_id = a.id AND e.feature = 'advice_generation'),
  0);
ALTER TABLE analyses ALTER COLUMN advice_count SET NOT NULL;
ALTER TABLE analyses DROP CONSTRAINT analyses_deleted_content;
ALTER TABLE analyses DROP COLUMN advice;

-- The rule settings an analysis used are the same document for almost every analysis (the
-- configured defaults, or one user's few changes): kept once, named by the md5 of their text.
CREATE TABLE rule_settings_used (
  id        uuid PRIMARY KEY,
  settings  jsonb NOT NULL,
  CHECK (id = md5(settings::text)::uuid)
);
-- No foreign key: every analysis would lock this one shared row (FOR KEY SHARE, a WAL record and
-- a MultiXact under concurrency); the analyze statement writes both, and `npm run check-ledger`
-- proves every reference resolves.
ALTER TABLE analyses ADD COLUMN rule_settings_id uuid;
INSERT INTO rule_settings_used (id, settings)
SELECT DISTINCT md5(rule_settings::text)::uuid, rule_settings FROM analyses WHERE rule_settings IS NOT NULL;
UPDATE analyses SET rule_settings_id = md5(rule_settings::text)::uuid WHERE rule_settings IS NOT NULL;
ALTER TABLE analyses DROP COLUMN rule_settings;

ALTER TABLE analyses ADD CONSTRAINT analyses_deleted_content CHECK (
    CASE WHEN deleted_at IS NULL
      THEN request_hash IS NOT NULL AND portfolio IS NOT NULL
           AND portfolio_value_paise IS NOT NULL AND response IS NOT NULL
      ELSE request_hash IS NULL AND portfolio IS NULL
           AND portfolio_value_paise IS NULL AND response IS NULL AND rule_settings_id IS NULL
    END);

-- The history index in ascending order: a user's new analysis then lands after its previous one,
-- which PostgreSQL's B-tree packs densely (it splits "after the new item" for such runs), where
-- descending order put each one before the last and left every split page half empty. History
-- pages read it backwards (newest first), the retention job forwards (oldest first): same plans.
DROP INDEX analyses_user_created;
CREATE INDEX analyses_user_created ON analyses (user_sub, created_at, id) WHERE deleted_at IS NULL;

-- One uniqueness for the Idempotency-Key, not two: the analyze read and the race loser look the
-- key up by its hash (migrations/0011), whose unique index also guarantees the key's (same user,
-- same key ⇒ same hash). It is partial: only analyses with a key (or a restored placeholder's
-- hash) need it, half the entries; the lookup (= $n) implies the predicate.
ALTER TABLE analyses DROP CONSTRAINT analyses_idempotency;
ALTER TABLE analyses DROP CONSTRAINT analyses_idempotency_sha256;
CREATE UNIQUE INDEX analyses_idempotency_sha256 ON analyses (user_sub, idempotency_key_sha256)
  WHERE idempotency_key_sha256 IS NOT NULL;
-- Compress the stored documents into the row (pglz): MAIN keeps them inline (out of line only
-- past ~8 KB compressed), and the low tuple target makes PostgreSQL compress them whenever the
-- row is over TOAST_TUPLE_THRESHOLD (2 KB) rather than stopping at 2 KB.
-- Every other variable-length column is MAIN too: with so low a target, PostgreSQL would
-- otherwise move the short ones (the 64-character hashes) out of line, one TOAST row and index
-- entry each, before it compresses the answer.
ALTER TABLE analyses
  ALTER COLUMN response SET STORAGE MAIN,
  ALTER COLUMN portfolio SET STORAGE MAIN,
  ALTER COLUMN request_hash SET STORAGE MAIN,
  ALTER COLUMN idempotency_key SET STORAGE MAIN,
  ALTER COLUMN idempotency_key_sha256 SET STORAGE MAIN,
  ALTER COLUMN user_sub SET STORAGE MAIN,
  ALTER COLUMN rule_set SET STORAGE MAIN,
  SET (toast_tuple_target = 128);

-- Grants of the application role (stock_app, migrations/0008) ------------------------------
GRANT SELECT, INSERT, UPDATE ON usage_daily TO stock_app;  -- analyze upserts its day's counters
GRANT SELECT, INSERT ON rule_settings_used TO stock_app;    -- analyze adds a settings document once
-- Deletion and retention erase the reference with the rest of the content (migrations/0009).
GRANT UPDATE (rule_settings_id) ON analyses TO stock_app;
