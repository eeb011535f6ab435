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
