/**
 * Persistence of analyses: the one read and the one write of POST /api/analyze.
 *
 * Round trips per analyze: 1 read (the quotes with each symbol's recent closes and corporate
 * actions, the caller's rule settings, the stored answer
 * of the Idempotency-Key if there is one, and for an API key the key's owner), then 1 write
 * statement. Only the loser of a concurrent race on the same
 * key pays a third (reading the winner's answer). The write is one atomic statement
 * (analysis-write.ts).
 */

import { keyLookup } from '../accounts/key-store';
import type { AnalysisBody, MarketQuote, UsageTotals } from '../core/analysis';
import { MEASURE_SESSIONS } from '../core/market-history';
import { CURRENT_SESSION, FEED_CURRENT } from '../market/history-store';
import { db, type Sql } from '../platform/db';
import { type NewAnalysis, type RecordOutcome, recordAnalysis } from './analysis-write';
import { fromStoredAnswer } from './stored-answer';

export type { NewAnalysis, RecordOutcome } from './analysis-write';

export interface StoredAnalysis {
  /** Both null once the analysis was deleted (migrations/0009): a replay is then a 409. */
  requestHash: string | null;
  body: AnalysisBody | null;
  usage: UsageTotals;
}

/** Who asks: a user verified by access token, or an API key (its SHA-256, hex) not yet looked up. */
export type Asker = { userSub: string } | { keyHash: string };

export interface AnalysisInputs {
  /** The caller; null when an API key was asked for and no active key has that hash. */
  caller: { userSub: string; apiKeyId: string | null } | null;
  /** Latest prices with what measures and risk are made from (history null when not read). */
  quotes: MarketQuote[];
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
   * stored under (caller, Idempotency-Key) if any. With `withHistory` each quote also brings
   * its symbol's last ANALYSIS_HISTORY_SESSIONS bars before the current session (closes only)
   * and its corporate actions.
   */
  loadInputs(
    asker: Asker,
    symbols: string[],
    idempotencyKey: string | null,
    withHistory?: boolean,
  ): Promise<AnalysisInputs>;
  /** One statement: the analysis, its usage events, their outbox rows and the caller's day counters, atomically. */
  record(analysis: NewAnalysis): Promise<RecordOutcome>;
  /** The analysis stored under (sub, key). */
  findByKey(userSub: string, idempotencyKey: string): Promise<StoredAnalysis | null>;
}

/**
 * Bars per symbol analyze reads with its one query: what the derived measures need
 * (MEASURE_SESSIONS, 20). Each bar is a heap fetch, the dominant cost of the history read
 * (docs/market-data.md "Performance"), so the read brings no more than the analysis uses.
 * Portfolio risk (SPEC §12, 60 sessions common to every holding) raises this to its own need,
 * e.g. 80 to leave room for holdings that miss a few sessions; the series then come from the
 * same read (measuredQuote returns each holding's AdjustedSeries).
 */
export const ANALYSIS_HISTORY_SESSIONS = MEASURE_SESSIONS;

interface QuoteJson extends Omit<MarketQuote, 'ts' | 'feedCurrent' | 'history'> {
  ts_ms: number;
  /** Whether the tick that set the price carried change_1d_pct, change_7d_pct, volatility. */
  now: [boolean, boolean, boolean];
  /** [sessions, closes] ascending, or null without bars or history. */
  h: [string[], number[]] | null;
  /** [ex_date, factor_num, factor_den] of each split or bonus, or null. */
  a: [string, number, number][] | null;
}

/** A quote of the read, as the core takes it. */
function toQuote({ ts_ms, now, h, a, ...q }: QuoteJson, withHistory: boolean): MarketQuote {
  return {
    ...q,
    ts: new Date(Number(ts_ms)),
    feedCurrent: { change_1d_pct: now[0], change_7d_pct: now[1], volatility: now[2] },
    history: withHistory
      ? {
          sessions: h?.[0] ?? [],
          closes: h?.[1] ?? [],
          actions: (a ?? []).map(([exDate, factorNum, factorDen]) => ({ exDate, factorNum, factorDen })),
        }
      : null,
  };
}

interface PriorJson {
  request_hash: string | null;
  response: AnalysisBody | null;
  portfolios_analyzed_total: number;
  advice_generated_total: number;
}

const toStored = (p: PriorJson): StoredAnalysis => ({
  requestHash: p.request_hash,
  body: p.response && fromStoredAnswer(p.response),
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
            'symbol', lp.symbol, 'price', lp.price::text, 'name', lp.name, 'sector', lp.sector,
            'change_1d_pct', lp.change_1d_pct, 'change_7d_pct', lp.change_7d_pct, 'volatility', lp.volatility,
            'ts_ms', floor(extract(epoch FROM lp.ts) * 1000)::bigint,
            'session', cur.session,
            'now', ${FEED_CURRENT},
            'h', (SELECT json_build_array(json_agg(b.session ORDER BY b.session), json_agg(b.close ORDER BY b.session))
                  FROM (SELECT session, close FROM daily_bars
                        WHERE $5::boolean AND symbol = lp.symbol AND session < cur.session
                        ORDER BY session DESC LIMIT ${ANALYSIS_HISTORY_SESSIONS}) b
                  HAVING count(*) > 0),
            'a', (SELECT json_agg(json_build_array(ca.ex_date, ca.factor_num, ca.factor_den))
                  FROM corporate_actions ca
                  WHERE $5::boolean AND ca.symbol = lp.symbol AND ca.ex_date <= cur.session))), '[]'::json)
     FROM latest_prices lp CROSS JOIN LATERAL (${CURRENT_SESSION}) cur
     WHERE lp.symbol = ANY($1::text[])) AS quotes,
  (SELECT json_build_object('request_hash', request_hash, 'response', response,
            'portfolios_analyzed_total', portfolios_analyzed_total,
            'advice_generated_total', advice_generated_total)
     FROM analyses WHERE user_sub = caller.sub AND idempotency_key = $3) AS prior,
  (SELECT rules FROM rule_settings WHERE user_sub = caller.sub) AS settings,
  floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS db_now_ms
FROM caller`;

export function sqlAnalysisStore(sql: Sql): AnalysisStore {
  return {
    async loadInputs(asker, symbols, idempotencyKey, withHistory = true) {
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
        withHistory,
      ]);
      return {
        caller: row?.user_sub ? { userSub: row.user_sub, apiKeyId: row.key_id } : null,
        quotes: (row?.quotes ?? []).map((q) => toQuote(q, withHistory)),
        prior: row?.prior ? toStored(row.prior) : null,
        settings: row?.settings ?? null,
        dbNowMs: Number(row?.db_now_ms),
      };
    },

    record: (a) => recordAnalysis(sql, a),

    async findByKey(userSub, idempotencyKey) {
      const [row]: [PriorJson?] = await sql`
        SELECT request_hash, response, portfolios_analyzed_total, advice_generated_total
        FROM analyses WHERE user_sub = ${userSub} AND idempotency_key = ${idempotencyKey}`;
      return row ? toStored(row) : null;
    },
  };
}

/** The store on the container's database client. */
export async function defaultAnalysisStore(): Promise<AnalysisStore> {
  return sqlAnalysisStore(await db());
}
