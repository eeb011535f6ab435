/**
 * The one write of POST /api/analyze: a single statement of data-modifying CTEs, so it is atomic
 * without BEGIN/COMMIT round trips. The caller's day counters (usage_daily), the analysis row,
 * its ledger rows (usage_events) and their outbox rows (billing_outbox) all commit, or none does
 * (migrations/0002, 0003, 0012; what each row costs: docs/performance.md "The write of an
 * analysis").
 */
import type { AnalysisBody, UsageTotals } from '../core/analysis';
import type { Holding } from '../core/portfolio';
import type { UsageCharge } from '../core/pricing';
import type { Sql } from '../platform/db';
import { encodeAnalysis } from './stored-answer';

export interface NewAnalysis {
  id: string;
  userSub: string;
  /** The API key that made it; null for an access token. */
  apiKeyId: string | null;
  /** The rule settings in force (core/rule-settings.ts), kept with the analysis. */
  ruleSettings: unknown;
  idempotencyKey: string | null;
  /** The request's fingerprint (core/portfolio.ts), computed again from the stored holdings. */
  requestHash: string;
  ruleSet: string;
  /** The normalized holdings; stored with the answer (stored-answer.ts). */
  portfolio: Holding[];
  /** The advice items; stored only inside `body` (their count has a column). */
  advice: unknown;
  portfolioValuePaise: bigint;
  chargedPaise: bigint;
  adviceCount: number;
  charges: UsageCharge[];
  body: AnalysisBody;
  at: Date;
  /**
   * The write's deadline, on the database's clock (see loadInputs): the database records
   * nothing once its clock is past it. The handler has answered 503 by then, so a statement the
   * server only gets to run late (it was frozen, or the request queued behind a stalled
   * connection) must not charge (docs/api.md).
   */
  notAfter: Date;
}

export type RecordOutcome =
  | { kind: 'recorded'; usage: UsageTotals }
  | { kind: 'duplicate-key' }
  | { kind: 'too-late' };

/** The IST calendar day of `$n`, as usage_daily keys it. */
const istDay = (param: string) => `(${param}::timestamptz AT TIME ZONE 'Asia/Kolkata')::date`;

// JSON parameters are sent as text (`$n::text::jsonb`): postgres.js would JSON-encode a string
// parameter a second time if the server described it as json.
const RECORD = `
WITH charges AS (
  -- Nothing is written past the deadline ($13): every later CTE reads from this one.
  SELECT e.feature, e.quantity, e.unit_price_paise
  FROM jsonb_to_recordset($10::text::jsonb) AS e(feature text, quantity integer, unit_price_paise bigint)
  WHERE clock_timestamp() < $13::timestamptz
), counted AS (
  -- The day's counters of the caller. The row lock serializes one user's analyses of a day, as
  -- the all-time totals row did; the updates are HOT (no indexed column changes).
  INSERT INTO usage_daily AS d (user_sub, day, feature, unit_price_paise, quantity)
  SELECT $2, ${istDay('$11')}, feature, unit_price_paise, quantity FROM charges
  ON CONFLICT (user_sub, day, feature, unit_price_paise) DO UPDATE SET quantity = d.quantity + EXCLUDED.quantity
  RETURNING feature, quantity
), totals AS (
  -- All-time totals for the answer: the day rows this statement updated, as updated, plus the
  -- caller's other day rows (the statement's snapshot; a few hundred rows a year of use).
  SELECT coalesce(sum(q) FILTER (WHERE feature = 'portfolio_analysis'), 0) AS portfolios_analyzed,
         coalesce(sum(q) FILTER (WHERE feature = 'advice_generation'), 0) AS advice_generated
  FROM (SELECT feature, quantity AS q, true AS mine FROM counted
        UNION ALL
        SELECT d.feature, d.quantity, false FROM usage_daily d
        WHERE d.user_sub = $2
          AND NOT (d.day = ${istDay('$11')}
                   AND (d.feature, d.unit_price_paise) IN (SELECT feature, unit_price_paise FROM charges))) t
  HAVING bool_or(mine)
), settings AS (
  -- The rule settings document, stored once (migrations/0012); usually already there, and then
  -- the conflict check finds it without writing anything.
  INSERT INTO rule_settings_used (id, settings)
  SELECT md5($9::text::jsonb::text)::uuid, $9::text::jsonb FROM totals
  ON CONFLICT (id) DO NOTHING
), analysis AS (
  -- A reused Idempotency-Key violates analyses_idempotency_sha256 here (its hash, set by a
  -- trigger, migrations/0011) and aborts the whole statement.
  -- The holdings and the request's fingerprint are in the answer's bytes (stored-answer.ts):
  -- request_hash and portfolio stay NULL.
  INSERT INTO analyses (id, user_sub, idempotency_key, rule_set, advice_count,
                        portfolio_value_paise, charged_paise, answer,
                        portfolios_analyzed_total, advice_generated_total, created_at,
                        api_key_id, rule_settings_id)
  SELECT $1::uuid, $2, $3, $4, $5::smallint, $6::bigint, $7::bigint, $8::bytea,
         totals.portfolios_analyzed, totals.advice_generated, $11, $12::uuid, md5($9::text::jsonb::text)::uuid
  FROM totals
  RETURNING id, user_sub, created_at
), events AS (
  INSERT INTO usage_events (analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at)
  SELECT analysis.id, c.feature, analysis.user_sub, c.quantity, c.unit_price_paise, analysis.created_at
  FROM analysis CROSS JOIN charges c
  RETURNING analysis_id, feature, occurred_at
), outbox AS (
  -- The same charges, queued for the billing provider (migrations/0003, 0012): committed with
  -- the analysis or not at all. The row names its ledger row; the figures are read from there.
  INSERT INTO billing_outbox (analysis_id, feature, next_attempt_at)
  SELECT analysis_id, feature, occurred_at
  FROM events
  RETURNING 1
)
SELECT totals.portfolios_analyzed, totals.advice_generated, (SELECT count(*) FROM events)::int AS events,
       (SELECT count(*) FROM outbox)::int AS queued
FROM totals`;

/** Record `a` in one statement; a reused Idempotency-Key or a passed deadline records nothing. */
export async function recordAnalysis(sql: Sql, a: NewAnalysis): Promise<RecordOutcome> {
  try {
    const [row] = await sql.unsafe<[{ portfolios_analyzed: string; advice_generated: string }]>(RECORD, [
      a.id,
      a.userSub,
      a.idempotencyKey,
      a.ruleSet,
      a.adviceCount,
      a.portfolioValuePaise.toString(),
      a.chargedPaise.toString(),
      encodeAnalysis({ holdings: a.portfolio, body: a.body }, a.id),
      JSON.stringify(a.ruleSettings),
      JSON.stringify(
        a.charges.map((c) => ({
          feature: c.feature,
          quantity: c.quantity,
          unit_price_paise: c.unitPricePaise.toString(),
        })),
      ),
      a.at,
      a.apiKeyId,
      a.notAfter,
    ]);
    if (!row) return { kind: 'too-late' };
    return {
      kind: 'recorded',
      usage: {
        portfolios_analyzed_total: Number(row.portfolios_analyzed),
        advice_generated_total: Number(row.advice_generated),
      },
    };
  } catch (error) {
    const e = error as { code?: string; constraint_name?: string };
    // The key's hash (migrations/0011, 0012: the only uniqueness of the Idempotency-Key).
    if (e.code === '23505' && e.constraint_name === 'analyses_idempotency_sha256')
      return { kind: 'duplicate-key' };
    throw error;
  }
}
