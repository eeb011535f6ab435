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
-- 2. The outbox row stops storing its text event id: '<analysis_id>:<feature>' is its key's two
--    columns joined, which the readers compute. Its key is (analysis_id, feature), the ledger row's key
--    (a 16-byte uuid and the feature instead of 56 bytes of text, in the row and in the key).
--
-- Deploying it (docs/deploy.md): the schema is migrated before the functions are updated, so the
-- code of the release before runs against it for a few minutes. Nothing it uses is removed here:
-- the text event ids stay as nullable columns (NULL in rows written since; a later migration drops
-- them once no function writes them), the older answer columns stay, and every reader of this
-- release takes either form. The older code only cannot read answers stored in the new form, so
-- rolling the functions back past this migration is not supported (a replay of a newer analysis
-- would be refused as deleted). The migration takes its locks up front, in the order the billing
-- sync takes them, and gives up after 5 s rather than queue every request behind it; a deploy that
-- fails on the lock is simply run again.
SET LOCAL lock_timeout = '5s';
LOCK TABLE billing_outbox, usage_events, reconciliation_resends, analyses IN ACCESS EXCLUSIVE MODE;

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
-- Not validated here: the scan would hold every request on analyses for its length. Every row
-- already satisfies it (`answer` is NULL in all of them, and 0012's constraint held); new and
-- updated rows are checked from now on. migrations/0014 validates it on its own, with a lock
-- that lets analyses be written meanwhile.

-- A ledger row's analysis is written by the same statement (analysis-write.ts) and never removed;
-- the foreign key's check only cost each charge a row lock on that analysis (a WAL record).
-- `npm run check-ledger` proves every ledger row has its analysis.
ALTER TABLE usage_events DROP CONSTRAINT usage_events_analysis_id_fkey;

-- 2. The outbox's key -------------------------------------------------------------------------
-- The reconciliation's record of resent events (0006) names its outbox row by the same key.
ALTER TABLE reconciliation_resends
  DROP CONSTRAINT reconciliation_resends_event_id_fkey,
  DROP CONSTRAINT reconciliation_resends_pkey,
  ALTER COLUMN event_id DROP NOT NULL,
  ADD COLUMN analysis_id uuid,
  ADD COLUMN feature text;
UPDATE reconciliation_resends
SET analysis_id = split_part(event_id, ':', 1)::uuid, feature = split_part(event_id, ':', 2);
ALTER TABLE reconciliation_resends
  ALTER COLUMN analysis_id SET NOT NULL,
  ALTER COLUMN feature SET NOT NULL,
  ADD PRIMARY KEY (analysis_id, feature);

-- event_id stays for the release before (its CHECK holds for NULL); this release never writes it.
ALTER TABLE billing_outbox DROP CONSTRAINT billing_outbox_pkey;
ALTER TABLE billing_outbox ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE billing_outbox ADD PRIMARY KEY (analysis_id, feature);
ALTER TABLE reconciliation_resends
  ADD FOREIGN KEY (analysis_id, feature) REFERENCES billing_outbox (analysis_id, feature);

-- Grants of the application role (stock_app, migrations/0008) --------------------------------
-- Analyze writes the answer (INSERT on analyses is granted whole, 0008); deletion and retention
-- erase it with the rest of the content (0009, 0012).
GRANT UPDATE (answer) ON analyses TO stock_app;
