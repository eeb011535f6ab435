-- Deleting an analysis and pruning old ones (issue 19 item 5, SPEC §9; policy in docs/retention.md).
--
-- DELETE /api/analyses/{id} and the daily retention job do the same thing: set `deleted_at` and
-- clear what the user gave us and what we told them (the portfolio, the advice, the stored answer,
-- the rule settings, the portfolio's value and the hash of its holdings). The row itself stays,
-- with what the ledger and replays need: its id (the usage events, outbox rows and invoices point
-- at it), the owner, the Idempotency-Key (a later replay of it is a 409 "deleted", not a new
-- charge), the charge, the key that made it and the time.
ALTER TABLE analyses
  ADD COLUMN deleted_at timestamptz,
  ALTER COLUMN request_hash DROP NOT NULL,
  ALTER COLUMN portfolio DROP NOT NULL,
  ALTER COLUMN advice DROP NOT NULL,
  ALTER COLUMN portfolio_value_paise DROP NOT NULL,
  ALTER COLUMN response DROP NOT NULL,
  -- Stored content and deletion go together: a live analysis has all of it, a deleted one none.
  ADD CONSTRAINT analyses_deleted_content CHECK (
    CASE WHEN deleted_at IS NULL
      THEN request_hash IS NOT NULL AND portfolio IS NOT NULL AND advice IS NOT NULL
           AND portfolio_value_paise IS NOT NULL AND response IS NOT NULL
      ELSE request_hash IS NULL AND portfolio IS NULL AND advice IS NULL
           AND portfolio_value_paise IS NULL AND response IS NULL AND rule_settings IS NULL
    END);

-- The history index only holds live analyses: a deleted or pruned analysis leaves it (the list
-- never shows one), so it does not grow with the years of pruned rows the ledger keeps, and the
-- retention job finds a user's oldest live analyses at its end (functions/analysis/retention-store.ts).
DROP INDEX analyses_user_created;
CREATE INDEX analyses_user_created ON analyses (user_sub, created_at DESC, id DESC) WHERE deleted_at IS NULL;

-- The application role may erase exactly these columns (deletion and retention), nothing else of
-- an analysis: who made it, what it charged and its Idempotency-Key stay as they were written.
GRANT UPDATE (deleted_at, request_hash, portfolio, advice, portfolio_value_paise, response, rule_settings)
  ON analyses TO stock_app;
