-- Half the write of an analysis (issue 19 item 1), second step after 0012.
--
-- Measured by `npm run bench` (bench/write-cost.ts; figures and reasoning in docs/performance.md
-- "The write of an analysis"). What changes, and why each step keeps every guarantee:
--
-- 1. The stored answer, most of an analysis's bytes, is stored by the application as raw deflate
--    primed with a preset dictionary of the answer's structure (functions/analysis/stored-answer.ts,
--    answer-dictionary.ts): one byte naming the dictionary, then the deflated JSON text. PostgreSQL's
--    pglz has nothing to refer back to in a 5 KB document and kept about 0.36 of it; the primed
--    deflate keeps about 0.15. Lossless, and the text is the one the client was sent, so replays
--    stay byte for byte the first answer. Answers stored before this stay JSON in `response`
--    (nothing rewrites them); every reader takes whichever column is set.
-- 2. The outbox row loses its text event id: '<analysis_id>:<feature>' is its key's two columns
--    joined, which the readers compute. Its key is (analysis_id, feature), the ledger row's key
--    (a 16-byte uuid and the feature instead of 56 bytes of text, in the row and in the key).

-- 1. The answer -------------------------------------------------------------------------------
ALTER TABLE analyses ADD COLUMN answer bytea CHECK (length(answer) > 1);
-- Inline, never compressed again by PostgreSQL (deflated bytes do not shrink): MAIN keeps the
-- column in the row up to the page size; the default tuple target (2 KB) again, so PostgreSQL tries
-- to compress only rows over 2 KB (0012 had lowered it so pglz would take the JSON answer).
ALTER TABLE analyses
  ALTER COLUMN answer SET STORAGE MAIN,
  RESET (toast_tuple_target);

-- A live analysis has its content in one of the two forms: since this migration the deflated
-- holdings and answer (its fingerprint computed from them), before it the three columns.
ALTER TABLE analyses DROP CONSTRAINT analyses_deleted_content;
ALTER TABLE analyses ADD CONSTRAINT analyses_deleted_content CHECK (
    CASE WHEN deleted_at IS NULL
      THEN portfolio_value_paise IS NOT NULL
           AND (answer IS NOT NULL
                OR (request_hash IS NOT NULL AND portfolio IS NOT NULL AND response IS NOT NULL))
      ELSE request_hash IS NULL AND portfolio IS NULL AND portfolio_value_paise IS NULL
           AND response IS NULL AND answer IS NULL AND rule_settings_id IS NULL
    END) NOT VALID;
-- Validated apart: a scan that lets analyses be written meanwhile (SHARE UPDATE EXCLUSIVE).
ALTER TABLE analyses VALIDATE CONSTRAINT analyses_deleted_content;

-- A ledger row's analysis is written by the same statement (analysis-write.ts) and never removed;
-- the foreign key's check only cost each charge a row lock on that analysis (a WAL record).
-- `npm run check-ledger` proves every ledger row has its analysis.
ALTER TABLE usage_events DROP CONSTRAINT usage_events_analysis_id_fkey;

-- 2. The outbox's key -------------------------------------------------------------------------
-- The reconciliation's record of resent events (0006) names its outbox row by the same key.
ALTER TABLE reconciliation_resends
  DROP CONSTRAINT reconciliation_resends_event_id_fkey,
  ADD COLUMN analysis_id uuid,
  ADD COLUMN feature text;
UPDATE reconciliation_resends
SET analysis_id = split_part(event_id, ':', 1)::uuid, feature = split_part(event_id, ':', 2);
ALTER TABLE reconciliation_resends
  DROP COLUMN event_id,
  ALTER COLUMN analysis_id SET NOT NULL,
  ALTER COLUMN feature SET NOT NULL,
  ADD PRIMARY KEY (analysis_id, feature);

ALTER TABLE billing_outbox DROP CONSTRAINT billing_outbox_pkey;
ALTER TABLE billing_outbox DROP COLUMN event_id;
ALTER TABLE billing_outbox ADD PRIMARY KEY (analysis_id, feature);
ALTER TABLE reconciliation_resends
  ADD FOREIGN KEY (analysis_id, feature) REFERENCES billing_outbox (analysis_id, feature);

-- Grants of the application role (stock_app, migrations/0008) --------------------------------
-- Analyze writes the answer (INSERT on analyses is granted whole, 0008); deletion and retention
-- erase it with the rest of the content (0009, 0012).
GRANT UPDATE (answer) ON analyses TO stock_app;
