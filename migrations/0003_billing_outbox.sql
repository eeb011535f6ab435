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
