/**
 * Persistence of analyses: the one read and the one write of POST /api/analyze.
 *
 * Round trips per analyze: 1 read (the quotes, the caller's rule settings, the stored answer
 * of the Idempotency-Key if there is one, and for an API key the key's owner), then 1 write
 * statement. Only the loser of a concurrent race on the same
 * key pays a third (reading the winner's answer). The write is a single statement of
 * data-modifying CTEs, so it is atomic without BEGIN/COMMIT round trips: the per-user totals,
 * the analysis row, its ledger rows and their billing-provider outbox rows (migrations/0003)
 * all commit, or none does.
 */

import { keyLookup } from '../accounts/key-store';
import type { AnalysisBody, UsageTotals } from '../core/analysis';
import type { Quote } from '../core/portfolio';
import type { UsageCharge } from '../core/pricing';
import { db, type Sql } from '../platform/db';

export interface StoredAnalysis {
  requestHash: string;
  /** Null for a placeholder restored from billing records (migrations/0008): no answer kept. */
  body: AnalysisBody | null;
  usage: UsageTotals;
}

export interface NewAnalysis {
  id: string;
  userSub: string;
  /** The API key that made it; null for an access token. */
  apiKeyId: string | null;
  /** The rule settings in force (core/rule-settings.ts), kept with the analysis. */
  ruleSettings: unknown;
  idempotencyKey: string | null;
  requestHash: string;
  ruleSet: string;
  portfolio: unknown;
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

/** Who asks: a user verified by access token, or an API key (its SHA-256, hex) not yet looked up. */
export type Asker = { userSub: string } | { keyHash: string };

export interface AnalysisInputs {
  /** The caller; null when an API key was asked for and no active key has that hash. */
  caller: { userSub: string; apiKeyId: string | null } | null;
  quotes: Quote[];
  prior: StoredAnalysis | null;
  /** The caller's stored rule settings (only what they changed), or null. */
  settings: unknown;
  /** The database's clock (epoch ms) when the query ran, to set the write's `notAfter` on it. */
  dbNowMs: number;
}

export interface AnalysisStore {
  /**
   * One query: the caller (an API key resolved by hash, its last use touched at most once a
   * minute), the latest quotes of `symbols`, the caller's rule settings, and the analysis
   * stored under (caller, Idempotency-Key) if any.
   */
  loadInputs(asker: Asker, symbols: string[], idempotencyKey: string | null): Promise<AnalysisInputs>;
  /** One statement: the analysis, its usage events, their outbox rows and the caller's totals, atomically. */
  record(analysis: NewAnalysis): Promise<RecordOutcome>;
  /** The analysis stored under (sub, key). */
  findByKey(userSub: string, idempotencyKey: string): Promise<StoredAnalysis | null>;
}

interface QuoteJson extends Omit<Quote, 'ts'> {
  ts_ms: number;
}

interface PriorJson {
  request_hash: string;
  response: AnalysisBody;
  portfolios_analyzed_total: number;
  advice_generated_total: number;
}

const toStored = (p: PriorJson): StoredAnalysis => ({
  requestHash: p.request_hash,
  body: p.response,
  usage: {
    portfolios_analyzed_total: Number(p.portfolios_analyzed_total),
    advice_generated_total: Number(p.advice_generated_total),
  },
});

const LOAD_INPUTS = `
WITH ${keyLookup('$4')}, caller AS (
  SELECT coalesce($2::text, (SELECT user_sub FROM api_key)) AS sub, (SELECT id FROM api_key) AS key_id
)
SELECT
  caller.sub AS user_sub,
  caller.key_id,
  (SELECT coalesce(json_agg(json_build_object(
            'symbol', symbol, 'price', price::text, 'name', name, 'sector', sector,
            'change_1d_pct', change_1d_pct, 'change_7d_pct', change_7d_pct, 'volatility', volatility,
            'ts_ms', floor(extract(epoch FROM ts) * 1000)::bigint)), '[]'::json)
     FROM latest_prices WHERE symbol = ANY($1::text[])) AS quotes,
  (SELECT json_build_object('request_hash', request_hash, 'response', response,
            'portfolios_analyzed_total', portfolios_analyzed_total,
            'advice_generated_total', advice_generated_total)
     -- By the key's hash (migrations/0008): it also finds a placeholder adopted after a restore.
     FROM analyses WHERE user_sub = caller.sub
       AND idempotency_key_sha256 = encode(sha256(convert_to($3::text, 'UTF8')), 'hex')) AS prior,
  (SELECT rules FROM rule_settings WHERE user_sub = caller.sub) AS settings,
  floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS db_now_ms
FROM caller`;

// JSON parameters are sent as text (`$n::text::jsonb`): postgres.js would JSON-encode a string
// parameter a second time if the server described it as json.
const RECORD = `
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
FROM totals`;

export function sqlAnalysisStore(sql: Sql): AnalysisStore {
  return {
    async loadInputs(asker, symbols, idempotencyKey) {
      const [row] = await sql.unsafe<
        [
          {
            user_sub: string | null;
            key_id: string | null;
            quotes: QuoteJson[];
            prior: PriorJson | null;
            settings: unknown;
            db_now_ms: string;
          },
        ]
      >(LOAD_INPUTS, [
        symbols,
        'userSub' in asker ? asker.userSub : null,
        idempotencyKey,
        'keyHash' in asker ? asker.keyHash : null,
      ]);
      return {
        caller: row?.user_sub ? { userSub: row.user_sub, apiKeyId: row.key_id } : null,
        quotes: (row?.quotes ?? []).map(({ ts_ms, ...q }) => ({ ...q, ts: new Date(Number(ts_ms)) })),
        prior: row?.prior ? toStored(row.prior) : null,
        settings: row?.settings ?? null,
        dbNowMs: Number(row?.db_now_ms),
      };
    },

    async record(a) {
      try {
        const [row] = await sql.unsafe<[{ portfolios_analyzed: string; advice_generated: string }]>(RECORD, [
          a.id,
          a.userSub,
          a.idempotencyKey,
          a.requestHash,
          a.ruleSet,
          JSON.stringify(a.portfolio),
          JSON.stringify(a.advice),
          a.portfolioValuePaise.toString(),
          a.chargedPaise.toString(),
          JSON.stringify(a.body),
          a.adviceCount,
          JSON.stringify(
            a.charges.map((c) => ({
              feature: c.feature,
              quantity: c.quantity,
              unit_price_paise: c.unitPricePaise.toString(),
            })),
          ),
          a.at,
          a.apiKeyId,
          JSON.stringify(a.ruleSettings),
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
        if (
          e.code === '23505' &&
          (e.constraint_name === 'analyses_idempotency' ||
            e.constraint_name === 'analyses_idempotency_sha256')
        )
          return { kind: 'duplicate-key' };
        throw error;
      }
    },

    async findByKey(userSub, idempotencyKey) {
      const [row]: [PriorJson?] = await sql`
        SELECT request_hash, response, portfolios_analyzed_total, advice_generated_total
        FROM analyses WHERE user_sub = ${userSub}
          AND idempotency_key_sha256 = encode(sha256(convert_to(${idempotencyKey}::text, 'UTF8')), 'hex')`;
      return row ? toStored(row) : null;
    },
  };
}

/** The store on the container's database client. */
export async function defaultAnalysisStore(): Promise<AnalysisStore> {
  return sqlAnalysisStore(await db());
}
