-- Disaster recovery (issue 20, SPEC §13): analyses restored from billing records, and the
-- Idempotency-Key's hash that lets such a placeholder still refuse a retried key.
--
-- After a point-in-time restore to T, analyses answered after T are gone from our ledger while
-- Flexprice may hold their events. The reconciliation's adoption
-- (functions/billing/reconciliation-adopt.ts) turns those events back into ledger rows under a
-- placeholder analysis: no portfolio, no advice, no answer (`response` is JSON null), rule set
-- 'restored', `restored_at` set. Its Idempotency-Key is known only by its SHA-256 (the billing
-- events carry it, never the key itself).

ALTER TABLE analyses
  ADD COLUMN restored_at timestamptz,
  -- SHA-256 (hex) of the Idempotency-Key: set by the trigger below from `idempotency_key`, or
  -- given directly by an adopted placeholder that only knows the hash.
  ADD COLUMN idempotency_key_sha256 text CHECK (idempotency_key_sha256 ~ '^[0-9a-f]{64}$'),
  ADD CONSTRAINT analyses_restored CHECK ((rule_set = 'restored') = (restored_at IS NOT NULL));

-- A placeholder has no holdings and so no portfolio value, like the legacy import (0003).
ALTER TABLE analyses DROP CONSTRAINT analyses_portfolio_value_paise_check;
ALTER TABLE analyses ADD CONSTRAINT analyses_portfolio_value_paise_check
  CHECK (portfolio_value_paise > 0
         OR (rule_set IN ('legacy-import', 'restored') AND portfolio_value_paise = 0));

CREATE FUNCTION analyses_key_sha256() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.idempotency_key IS NOT NULL THEN
    NEW.idempotency_key_sha256 := encode(sha256(convert_to(NEW.idempotency_key, 'UTF8')), 'hex');
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER analyses_key_sha256 BEFORE INSERT ON analyses
  FOR EACH ROW EXECUTE FUNCTION analyses_key_sha256();

UPDATE analyses
SET idempotency_key_sha256 = encode(sha256(convert_to(idempotency_key, 'UTF8')), 'hex')
WHERE idempotency_key IS NOT NULL;

-- A retried key of an analysis lost in a restore and adopted back collides here, as a retried
-- key of a live analysis collides with analyses_idempotency: it can never bill twice.
ALTER TABLE analyses
  ADD CONSTRAINT analyses_idempotency_sha256 UNIQUE (user_sub, idempotency_key_sha256);

-- Events a run adopted from Flexprice (functions/billing/reconciliation-adopt.ts).
ALTER TABLE reconciliation_runs
  ADD COLUMN events_adopted integer NOT NULL DEFAULT 0 CHECK (events_adopted >= 0);

-- Adoption (functions/billing/reconciliation-adopt-store.ts) writes a placeholder's charge and its
-- usage snapshot once its ledger rows are in, and again if a later run finds another of its
-- events: the application role may update exactly these columns of an analysis. check-ledger
-- proves every analysis's charge equals the sum of its ledger rows.
GRANT UPDATE (charged_paise, portfolios_analyzed_total, advice_generated_total) ON analyses TO stock_app;
