-- The schema of commit f2c7dbb (migrations 0001-0006 as they were), frozen: bench/write-cost.ts
-- runs the old write statement (record.sql) against it to print today's write cost beside the new one.

-- ==== migrations/0001_prices_and_users.sql at f2c7dbb ====
-- Users, keyed by the Cognito `sub` of their access token; created on first request.
CREATE TABLE users (
  sub         text PRIMARY KEY CHECK (length(sub) BETWEEN 1 AND 255),
  email       text CHECK (length(email) <= 320),
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The latest price per symbol. Each field carries the version (ts, sequence number) it came
-- from, encoded as one string that sorts bytewise (see functions/core/ticks.ts tickVersion), so
-- a field is only ever replaced by a newer tick: any order of delivery yields the same row.
-- fillfactor leaves room on each page so the constant updates stay HOT (no index churn).
CREATE TABLE latest_prices (
  symbol            text PRIMARY KEY CHECK (symbol ~ '^[A-Z0-9][A-Z0-9&_-]{0,19}$'),
  price             numeric(10, 2) NOT NULL CHECK (price > 0 AND price <= 10000000),
  ts                timestamptz NOT NULL,
  sequence_number   text NOT NULL,
  price_v           text COLLATE "C" NOT NULL,
  name              text CHECK (length(name) <= 200),
  name_v            text COLLATE "C",
  sector            text CHECK (length(sector) <= 200),
  sector_v          text COLLATE "C",
  change_1d_pct     double precision CHECK (change_1d_pct BETWEEN -100 AND 10000),
  change_1d_pct_v   text COLLATE "C",
  change_7d_pct     double precision CHECK (change_7d_pct BETWEEN -100 AND 10000),
  change_7d_pct_v   text COLLATE "C",
  volatility        double precision CHECK (volatility BETWEEN 0 AND 10),
  volatility_v      text COLLATE "C",
  market_cap_cr     double precision CHECK (market_cap_cr >= 0),
  market_cap_cr_v   text COLLATE "C",
  updated_at        timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 70);

-- Records that can never succeed, kept with their raw bytes and the reason, so they neither
-- block the shard nor vanish. `event_id` (shard + sequence number) makes a replay a no-op.
CREATE TABLE quarantined_ticks (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id         text NOT NULL UNIQUE,
  sequence_number  text NOT NULL,
  partition_key    text,
  raw_data         bytea NOT NULL,
  reason           text NOT NULL,
  arrived_at       timestamptz,
  quarantined_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quarantined_ticks_quarantined_at ON quarantined_ticks (quarantined_at);

-- ==== migrations/0002_analyses_and_usage.sql at f2c7dbb ====
-- Analyses, the usage ledger and per-user usage totals (issue 3).
--
-- One analyze request writes, in ONE statement (functions/shared/analysis-store.ts): its row in
-- `analyses`, one `usage_events` row per billed feature, and the caller's `usage_totals`.
-- A retry with the same Idempotency-Key hits the unique constraint and the whole statement
-- rolls back, so a retry can never be billed twice, however many run at once.

CREATE TABLE analyses (
  id                         uuid PRIMARY KEY,
  user_sub                   text NOT NULL REFERENCES users (sub),
  idempotency_key            text CHECK (idempotency_key ~ '^[\x20-\x7e]{1,255}$'),
  -- sha256 of the normalized portfolio: the same key with another body is a 409.
  request_hash               text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
  rule_set                   text NOT NULL,
  -- The normalized holdings [{symbol, quantity}] and the advice items, as analyzed.
  portfolio                  jsonb NOT NULL,
  advice                     jsonb NOT NULL,
  portfolio_value_paise      bigint NOT NULL CHECK (portfolio_value_paise > 0),
  charged_paise              bigint NOT NULL CHECK (charged_paise >= 0),
  -- The response body as first sent, minus `usage` (below); `json` keeps its text verbatim,
  -- so a replay is byte-for-byte the first answer.
  response                   json NOT NULL,
  portfolios_analyzed_total  bigint NOT NULL,
  advice_generated_total     bigint NOT NULL,
  created_at                 timestamptz NOT NULL,
  -- NULLs are distinct: requests without a key never collide.
  CONSTRAINT analyses_idempotency UNIQUE (user_sub, idempotency_key)
);
-- No other index: no route lists a user's analyses yet, and every index costs each analyze a write.

-- The metering ledger: one row per billed feature of an analysis, with the unit price in force
-- when it was charged (the price snapshot). Bills are sums over it; it is never updated.
CREATE TABLE usage_events (
  analysis_id       uuid NOT NULL REFERENCES analyses (id),
  feature           text NOT NULL CHECK (feature IN ('portfolio_analysis', 'advice_generation')),
  user_sub          text NOT NULL REFERENCES users (sub),
  quantity          integer NOT NULL CHECK (quantity > 0),
  unit_price_paise  bigint NOT NULL CHECK (unit_price_paise >= 0),
  occurred_at       timestamptz NOT NULL,
  -- The billing period: the calendar month in Asia/Kolkata, as its first day. Derived from
  -- occurred_at by the database, so it can never disagree with the event time.
  billing_period    date GENERATED ALWAYS AS
                      (date_trunc('month', occurred_at AT TIME ZONE 'Asia/Kolkata')::date) STORED,
  -- (analysis, feature) is also the stable event id a billing provider can deduplicate on.
  PRIMARY KEY (analysis_id, feature)
);
-- GET /api/billing: one user's month grouped by (feature, unit price): an index-only scan that
-- delivers rows already in GROUP BY order.
CREATE INDEX usage_events_user_period
  ON usage_events (user_sub, billing_period, feature, unit_price_paise) INCLUDE (quantity);
-- GET /api/usage: one user's current period and ?from=&to= windows (index-only).
CREATE INDEX usage_events_user_time ON usage_events (user_sub, occurred_at) INCLUDE (feature, quantity);
-- GET /api/usage?scope=global (admins): windows over all users (index-only).
CREATE INDEX usage_events_time ON usage_events (occurred_at) INCLUDE (feature, quantity);

-- All-time totals per user, maintained in the same statement as the ledger rows, so the
-- analyze response and GET /api/usage read one row instead of summing a user's whole history.
CREATE TABLE usage_totals (
  user_sub             text PRIMARY KEY REFERENCES users (sub),
  portfolios_analyzed  bigint NOT NULL CHECK (portfolios_analyzed >= 0),
  advice_generated     bigint NOT NULL CHECK (advice_generated >= 0),
  charged_paise        bigint NOT NULL CHECK (charged_paise >= 0),
  updated_at           timestamptz NOT NULL
);

-- ==== migrations/0003_billing_outbox.sql at f2c7dbb ====
-- Billing-provider outbox, known provider customers, and legacy-import analyses (issue 5).
--
-- The analyze statement (functions/shared/analysis-store.ts RECORD) writes one outbox row per
-- ledger row, in the same statement, so a charge is queued for Flexprice exactly when it is
-- recorded: never lost, never queued without being billed. An idempotent replay aborts that
-- statement (unique Idempotency-Key), so it queues nothing. The sync function
-- (functions/billing-sync.ts) drains the table; Flexprice deduplicates on (event_id, timestamp),
-- both stored here and resent unchanged on every attempt.

CREATE TABLE billing_outbox (
  -- '<analysis_id>:<feature>': deterministic, the provider's deduplication key.
  event_id          text PRIMARY KEY,
  analysis_id       uuid NOT NULL,
  feature           text NOT NULL,
  -- The provider's external customer id is the user's `sub`.
  user_sub          text NOT NULL REFERENCES users (sub),
  quantity          integer NOT NULL CHECK (quantity > 0),
  unit_price_paise  bigint NOT NULL CHECK (unit_price_paise >= 0),
  -- The event timestamp sent to the provider: the analysis time, never "now".
  occurred_at       timestamptz NOT NULL,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- When the row is next due. A sync run's claim moves it one lease into the future, so other
  -- runs skip the row while it is in flight and retake it if that run dies (crash safety).
  next_attempt_at   timestamptz NOT NULL,
  -- The last failure, truncated, secrets scrubbed (functions/core/billing-sync.ts).
  last_error        text CHECK (length(last_error) <= 500),
  created_at        timestamptz NOT NULL,
  sent_at           timestamptz,
  CHECK (event_id = analysis_id::text || ':' || feature),
  CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
  -- Every queued event is a ledger row (and so an analysis of this user).
  FOREIGN KEY (analysis_id, feature) REFERENCES usage_events (analysis_id, feature)
);
-- Draining: the due pending rows, oldest first. Sent rows (the vast majority) stay out of it.
CREATE INDEX billing_outbox_due ON billing_outbox (next_attempt_at) WHERE status = 'pending';
-- GET /health and the OutboxDead metric count dead rows without scanning the table.
CREATE INDEX billing_outbox_dead ON billing_outbox (created_at) WHERE status = 'dead';

-- Users the provider is known to have as customers: created once, then never asked again.
CREATE TABLE billing_customers (
  user_sub    text PRIMARY KEY REFERENCES users (sub),
  synced_at   timestamptz NOT NULL
);

-- The legacy import (scripts/import-legacy.ts) records the prototype's usage as ONE synthetic
-- analysis (rule_set 'legacy-import', no holdings, value 0) so that its ledger rows keep the
-- usage_events -> analyses foreign key and every ledger row still names its origin. Only that
-- rule set may have no portfolio value.
ALTER TABLE analyses DROP CONSTRAINT analyses_portfolio_value_paise_check;
ALTER TABLE analyses ADD CONSTRAINT analyses_portfolio_value_paise_check
  CHECK (portfolio_value_paise > 0 OR (rule_set = 'legacy-import' AND portfolio_value_paise = 0));

-- ==== migrations/0004_invoices.sql at f2c7dbb ====
-- Monthly invoices (issue 5, deliverable 3). See docs/billing.md "Invoices".
--
-- The close-month job (functions/invoices.ts) turns each ended Asia/Kolkata month of a user's
-- usage ledger into one invoice with one line per (feature, snapshotted unit price). The
-- mark-overdue job adds exactly one late-fee line to an unpaid invoice after its due date.
-- Every guarantee that must hold under concurrent or repeated runs is a constraint here:
-- one invoice per (user, month), unique numbers, at most one late-fee line per invoice.

-- Per-month invoice counters. The close-month job locks its month's row for the whole
-- transaction, so numbers within a month are consecutive and never handed out twice.
CREATE TABLE invoice_counters (
  period       date PRIMARY KEY CHECK (extract(day FROM period) = 1),
  last_number  integer NOT NULL CHECK (last_number >= 0)
);

CREATE TABLE invoices (
  id                 uuid PRIMARY KEY,
  -- 'SC-<YYYY>-<MM>-<counter of that month, ≥ 6 digits>', fixed at issue, never reused.
  number             text NOT NULL UNIQUE CHECK (number ~ '^SC-\d{4}-\d{2}-\d{6,}$'),
  user_sub           text NOT NULL REFERENCES users (sub),
  -- The billing month as its first day (as usage_events.billing_period).
  period             date NOT NULL CHECK (extract(day FROM period) = 1),
  status             text NOT NULL CHECK (status IN ('issued', 'overdue', 'paid')),
  subtotal_paise     bigint NOT NULL CHECK (subtotal_paise >= 0),
  late_fee_paise     bigint NOT NULL DEFAULT 0 CHECK (late_fee_paise >= 0),
  total_paise        bigint NOT NULL,
  currency           text NOT NULL DEFAULT 'INR' CHECK (currency = 'INR'),
  issued_at          timestamptz NOT NULL,
  -- Last day of the month + 3 days (IST calendar); payable through the end of that day.
  due_date           date NOT NULL CHECK (due_date = (period + interval '1 month' + interval '2 days')::date),
  overdue_at         timestamptz,
  paid_at            timestamptz,
  payment_reference  text CHECK (payment_reference ~ '^[\x20-\x7e]{1,200}$'),
  CONSTRAINT invoices_user_period UNIQUE (user_sub, period),
  CHECK (total_paise = subtotal_paise + late_fee_paise),
  CHECK ((status = 'paid') = (paid_at IS NOT NULL AND payment_reference IS NOT NULL)),
  -- An overdue invoice, and only a once-overdue one, carries the time it became overdue.
  CHECK (status <> 'overdue' OR overdue_at IS NOT NULL),
  CHECK (late_fee_paise = 0 OR overdue_at IS NOT NULL)
);
-- GET /api/billing/invoices: one user's invoices, newest month first (the unique constraint's
-- index serves it too, scanned backwards). GET /api/billing reads (user_sub, period) the same way.
-- mark-overdue: the unpaid invoices past their due date; paid ones (most) stay out of it.
CREATE INDEX invoices_issued_due ON invoices (due_date) WHERE status = 'issued';

CREATE TABLE invoice_lines (
  invoice_id        uuid NOT NULL REFERENCES invoices (id),
  line_no           smallint NOT NULL CHECK (line_no >= 1),
  kind              text NOT NULL CHECK (kind IN ('usage', 'late_fee')),
  feature           text NOT NULL CHECK (feature IN ('portfolio_analysis', 'advice_generation', 'late_fee')),
  quantity          bigint NOT NULL CHECK (quantity > 0),
  unit_price_paise  bigint NOT NULL CHECK (unit_price_paise >= 0),
  amount_paise      bigint NOT NULL CHECK (amount_paise >= 0),
  PRIMARY KEY (invoice_id, line_no),
  CHECK ((kind = 'late_fee') = (feature = 'late_fee')),
  CHECK (amount_paise = quantity * unit_price_paise)
);
-- At most one late fee per invoice, whatever runs at once.
CREATE UNIQUE INDEX invoice_lines_one_late_fee ON invoice_lines (invoice_id) WHERE kind = 'late_fee';

-- close-month: the (month, user) pairs with usage, month by month, without reading whole
-- months of other users' rows through the (user_sub, …) index of migrations/0002.
CREATE INDEX usage_events_period_user ON usage_events (billing_period, user_sub);

-- ==== migrations/0005_accounts.sql at f2c7dbb ====
-- Accounts (issue 11, SPEC §9): API keys, analysis history, per-user advice rule settings.

-- API keys. Only SHA-256 of the key is kept (functions/core/api-keys.ts); a request's key is
-- found by that hash under the unique index, never by comparing keys in a loop. A key is never
-- deleted, only revoked, so analyses can keep naming the key that made them.
CREATE TABLE api_keys (
  id            uuid PRIMARY KEY,
  user_sub      text NOT NULL REFERENCES users (sub) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The first 8 characters after `sck_`, shown in lists so an owner can tell keys apart.
  prefix        text NOT NULL CHECK (prefix ~ '^[A-Za-z0-9_-]{8}$'),
  key_hash      bytea NOT NULL CHECK (length(key_hash) = 32),
  created_at    timestamptz NOT NULL,
  -- Updated at most once a minute per key (the lookup's conditional update), not per request.
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  CONSTRAINT api_keys_hash UNIQUE (key_hash)
);
-- GET /api/keys (newest first) and the count of active keys when creating one.
CREATE INDEX api_keys_user ON api_keys (user_sub, created_at DESC, id DESC);

-- Which key made an analysis (NULL: an access token), and the rule settings it used (NULL for
-- analyses older than this migration: they used the configured defaults).
ALTER TABLE analyses
  ADD COLUMN api_key_id uuid REFERENCES api_keys (id),
  ADD COLUMN rule_settings jsonb;

-- GET /api/analyses: one user's analyses newest first, keyset-paginated on (created_at, id).
-- The index delivers rows in that order, so each page is a short index range scan however long
-- the history (bench/analyze.ts prints the plan at 1,000,000 analyses). It costs each analyze
-- one index insert, which migration 0002 avoided while no route listed analyses.
CREATE INDEX analyses_user_created ON analyses (user_sub, created_at DESC, id DESC);

-- Per-user advice rule settings: only what the user changed, per rule
-- ({"concentration": {"enabled": false}, "sharp_drop": {"threshold": -8}}); everything else
-- follows the configured defaults (functions/core/rule-settings.ts merges them).
CREATE TABLE rule_settings (
  user_sub    text PRIMARY KEY REFERENCES users (sub) ON DELETE CASCADE,
  rules       jsonb NOT NULL CHECK (jsonb_typeof(rules) = 'object'),
  updated_at  timestamptz NOT NULL
);

-- ==== migrations/0006_reconciliation.sql at f2c7dbb ====
-- Daily billing reconciliation against Flexprice (issue 13, SPEC §10). See docs/billing.md
-- "Reconciliation" and functions/billing/reconciliation.ts.
--
-- A run checks one IST calendar day: for each customer with billed usage that day, our ledger
-- (usage_events joined with their billing_outbox rows) against what Flexprice reports. A run may
-- span several invocations (a time budget each): `cursor` is where the next one resumes, and the
-- counters add up across them.

CREATE TABLE reconciliation_runs (
  id                    uuid PRIMARY KEY,
  -- The IST calendar day checked.
  day                   date NOT NULL,
  -- running: an invocation holds it (until lease_until); paused: out of time, resumes later;
  -- failed: Flexprice or the database failed, resumes later; finished: status is final.
  state                 text NOT NULL CHECK (state IN ('running', 'paused', 'failed', 'finished')),
  status                text CHECK (status IN ('matched', 'resent', 'drift')),
  started_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  finished_at           timestamptz,
  lease_until           timestamptz NOT NULL,
  invocations           integer NOT NULL DEFAULT 1 CHECK (invocations > 0),
  -- Customers are checked in user_sub order; every customer <= cursor is done.
  cursor                text,
  customers_checked     integer NOT NULL DEFAULT 0 CHECK (customers_checked >= 0),
  events_matched        integer NOT NULL DEFAULT 0 CHECK (events_matched >= 0),
  -- Queued again by this run (same event id and timestamp).
  events_resent         integer NOT NULL DEFAULT 0 CHECK (events_resent >= 0),
  -- Missing at Flexprice but still waiting in the outbox (not yet sent, or sent minutes ago).
  events_pending        integer NOT NULL DEFAULT 0 CHECK (events_pending >= 0),
  -- Missing although their resend was accepted (or dead-lettered): drift.
  events_still_missing  integer NOT NULL DEFAULT 0 CHECK (events_still_missing >= 0),
  -- At Flexprice but not in our ledger: reported, never deleted.
  events_unknown        integer NOT NULL DEFAULT 0 CHECK (events_unknown >= 0),
  quantity_mismatches   integer NOT NULL DEFAULT 0 CHECK (quantity_mismatches >= 0),
  -- What an operator needs to act on drift (capped list, see functions/core/reconciliation.ts).
  findings              jsonb NOT NULL DEFAULT '[]',
  -- The last failure, truncated, key and URL scrubbed.
  last_error            text CHECK (length(last_error) <= 500),
  CHECK ((state = 'finished') = (status IS NOT NULL AND finished_at IS NOT NULL))
);
-- GET /api/admin/reconciliation?date=: the latest run of a day.
CREATE INDEX reconciliation_runs_day ON reconciliation_runs (day, started_at DESC);
-- At most one unfinished run per day: two invocations can never check the same day at once.
CREATE UNIQUE INDEX reconciliation_runs_open ON reconciliation_runs (day) WHERE state <> 'finished';

-- Events the reconciliation put back into the outbox. One row per event, ever: running a day
-- again never resends an event twice; a resent event still missing after its resend was
-- accepted is drift for an operator, not another resend.
CREATE TABLE reconciliation_resends (
  event_id   text PRIMARY KEY REFERENCES billing_outbox (event_id),
  day        date NOT NULL,
  run_id     uuid NOT NULL REFERENCES reconciliation_runs (id),
  resent_at  timestamptz NOT NULL
);
