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
