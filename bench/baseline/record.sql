-- The analyze write of commit f2c7dbb (functions/analysis/analysis-store.ts RECORD), frozen: run by
-- bench/write-cost.ts against schema.sql with the same parameters as today's statement.
WITH totals AS (
  INSERT INTO usage_totals AS t (user_sub, portfolios_analyzed, advice_generated, charged_paise, updated_at)
  -- Nothing is written past the deadline ($16): every later CTE reads from this one.
  SELECT $2, 1, $11, $9::bigint, $13
  WHERE clock_timestamp() < $16::timestamptz
  ON CONFLICT (user_sub) DO UPDATE SET
    portfolios_analyzed = t.portfolios_analyzed + 1,
    advice_generated = t.advice_generated + EXCLUDED.advice_generated,
    charged_paise = t.charged_paise + EXCLUDED.charged_paise,
    updated_at = EXCLUDED.updated_at
  RETURNING portfolios_analyzed, advice_generated
), analysis AS (
  -- A reused Idempotency-Key violates analyses_idempotency here and aborts the whole statement.
  INSERT INTO analyses (id, user_sub, idempotency_key, request_hash, rule_set, portfolio, advice,
                        portfolio_value_paise, charged_paise, response,
                        portfolios_analyzed_total, advice_generated_total, created_at,
                        api_key_id, rule_settings)
  SELECT $1::uuid, $2, $3, $4, $5, $6::text::jsonb, $7::text::jsonb, $8::bigint, $9::bigint, $10::text::json,
         totals.portfolios_analyzed, totals.advice_generated, $13, $14::uuid, $15::text::jsonb
  FROM totals
  RETURNING id, user_sub, created_at
), events AS (
  INSERT INTO usage_events (analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at)
  SELECT analysis.id, e.feature, analysis.user_sub, e.quantity, e.unit_price_paise, analysis.created_at
  FROM analysis
  CROSS JOIN jsonb_to_recordset($12::text::jsonb) AS e(feature text, quantity integer, unit_price_paise bigint)
  RETURNING analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at
), outbox AS (
  -- The same charges, queued for the billing provider (migrations/0003): committed with the
  -- analysis or not at all. Event id and timestamp are fixed here and resent unchanged.
  INSERT INTO billing_outbox (event_id, analysis_id, feature, user_sub, quantity, unit_price_paise,
                              occurred_at, next_attempt_at, created_at)
  SELECT analysis_id::text || ':' || feature, analysis_id, feature, user_sub, quantity, unit_price_paise,
         occurred_at, occurred_at, occurred_at
  FROM events
  RETURNING 1
)
SELECT totals.portfolios_analyzed, totals.advice_generated, (SELECT count(*) FROM events)::int AS events,
       (SELECT count(*) FROM outbox)::int AS queued
FROM totals
