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
import { DAY_MS } from '../core/ist';
import { MEASURE_SESSIONS } from '../core/market-history';
import { requestHash } from '../core/portfolio';
import { RISK_MAX_SESSIONS } from '../core/risk';
import { CURRENT_SESSION, FEED_CURRENT } from '../market/history-store';
import { db, type Sql } from '../platform/db';
import { type NewAnalysis, type RecordOutcome, recordAnalysis } from './analysis-write';
import { decodeAnalysis, fromStoredAnswer } from './stored-answer';

export type { NewAnalysis, RecordOutcome } from './analysis-write';

export interface StoredAnalysis {
  /** Null once the analysis was deleted (migrations/0009). */
  requestHash: string | null;
  /**
   * The answer as first sent; null when deleted, or for a placeholder restored from billing
   * records after a database restore (`restored`, migrations/0011): either way a replay is a 409.
   */
  body: AnalysisBody | null;
  restored: boolean;
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
   * stored under (caller, Idempotency-Key) if any. With `historySessions` > 0 each quote also
   * brings its symbol's last `historySessions` bars before the current session (closes only)
   * and its corporate actions: ANALYSIS_HISTORY_SESSIONS for the measures, RISK_HISTORY_SESSIONS
   * with portfolio risk.
   */
  loadInputs(
    asker: Asker,
    symbols: string[],
    idempotencyKey: string | null,
    historySessions: number,
  ): Promise<AnalysisInputs>;
  /** One statement: the analysis, its usage events, their outbox rows and the caller's day counters, atomically. */
  record(analysis: NewAnalysis): Promise<RecordOutcome>;
  /** The analysis stored under (sub, key). */
  findByKey(userSub: string, idempotencyKey: string): Promise<StoredAnalysis | null>;
}

/**
 * Bars per symbol analyze reads with its one query for the derived measures alone
 * (MEASURE_SESSIONS, 20). Each bar is a heap fetch, the dominant cost of the history read
 * (docs/market-data.md "Performance"), so the read brings no more than the analysis uses.
 */
export const ANALYSIS_HISTORY_SESSIONS = MEASURE_SESSIONS;

/**
 * Bars per symbol when portfolio risk is on (SPEC §12: the last up to 60 sessions in which every
 * holding has a close). 59 bars before the current session and the latest price make 60 sessions
 * when every holding traded every session; 20 more leave room for sessions that some holding
 * lacks (a suspension, a stale price, a missing bhavcopy row) before the window shrinks below 60.
 * It is a superset of what the measures need, so one read serves both (docs/risk.md).
 */
export const RISK_HISTORY_SESSIONS = RISK_MAX_SESSIONS - 1 + 20;

interface QuoteJson extends Omit<MarketQuote, 'ts' | 'feedCurrent' | 'history'> {
  ts_ms: number;
  /** Whether the tick that set the price carried change_1d_pct, change_7d_pct, volatility. */
  now: [boolean, boolean, boolean];
  /**
   * [sessions as days since EPOCH_DATE, closes], newest first (the index order), or null
   * without bars or history. Two flat arrays of numbers are the cheapest shape to build and
   * parse: with risk on this is 20 × 79 bars per read (docs/risk.md "Performance").
   */
  h: [number[], number[]] | null;
  /** [ex_date, factor_num, factor_den] of each split or bonus, or null. */
  a: [string, number, number][] | null;
}

/** Sessions travel as day numbers from this date (an integer is cheaper to build and parse). */
const EPOCH_DATE = "date '2000-01-01'";
const EPOCH_MS = Date.UTC(2000, 0, 1);
/** Day number → YYYY-MM-DD, memoized: a container sees a few hundred distinct sessions. */
const sessionNames = new Map<number, string>();
function sessionName(day: number): string {
  let name = sessionNames.get(day);
  if (name === undefined) {
    name = new Date(EPOCH_MS + day * DAY_MS).toISOString().slice(0, 10);
    if (sessionNames.size < 10_000) sessionNames.set(day, name);
  }
  return name;
}

/** The history arrays oldest first, as the core takes them (closesSeries sorts anything else). */
function closeHistory(h: [number[], number[]] | null): { sessions: string[]; closes: number[] } {
  if (!h) return { sessions: [], closes: [] };
  const [days, closes] = h;
  return { sessions: days.map(sessionName).reverse(), closes: closes.slice().reverse() };
}

/** A quote of the read, as the core takes it. */
function toQuote({ ts_ms, now, h, a, ...q }: QuoteJson, withHistory: boolean): MarketQuote {
  return {
    ...q,
    ts: new Date(Number(ts_ms)),
    feedCurrent: { change_1d_pct: now[0], change_7d_pct: now[1], volatility: now[2] },
    history: withHistory
      ? {
          ...closeHistory(h),
          actions: (a ?? []).map(([exDate, factorNum, factorDen]) => ({ exDate, factorNum, factorDen })),
        }
      : null,
  };
}

interface PriorJson {
  id: string;
  request_hash: string | null;
  restored: boolean;
  /** The deflated answer (migrations/0013), base64 inside the read's JSON. */
  answer: string | null;
  /** An answer stored as JSON before 0013. */
  response: AnalysisBody | null;
  portfolios_analyzed_total: number;
  advice_generated_total: number;
}

/** A prior analysis in either stored form (stored-answer.ts): since migrations/0013 its holdings
 * and answer are one deflated value and its fingerprint is computed from those holdings. */
function toStored(p: PriorJson): StoredAnalysis {
  const content = p.answer === null ? null : decodeAnalysis(Buffer.from(p.answer, 'base64'), p.id);
  return {
    requestHash: content ? requestHash(content.holdings) : p.request_hash,
    body: content ? content.body : p.response && fromStoredAnswer(p.response),
    restored: p.restored,
    usage: {
      portfolios_analyzed_total: Number(p.portfolios_analyzed_total),
      advice_generated_total: Number(p.advice_generated_total),
    },
  };
}

/** The read with a LIMIT of `bars` per symbol: a constant in the text, so each plan is exact. */
const loadInputsSql = (bars: number) => `
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
            'h', (SELECT json_build_array(array_agg(b.session - ${EPOCH_DATE}), array_agg(b.close))
                  FROM (SELECT session, close FROM daily_bars
                        WHERE $5::boolean AND symbol = lp.symbol AND session < cur.session
                        ORDER BY session DESC LIMIT ${bars}) b
                  HAVING count(*) > 0),
            'a', (SELECT json_agg(json_build_array(ca.ex_date, ca.factor_num, ca.factor_den))
                  FROM corporate_actions ca
                  WHERE $5::boolean AND ca.symbol = lp.symbol AND ca.ex_date <= cur.session))), '[]'::json)
     FROM latest_prices lp CROSS JOIN LATERAL (${CURRENT_SESSION}) cur
     WHERE lp.symbol = ANY($1::text[])) AS quotes,
  (SELECT json_build_object('id', id, 'request_hash', request_hash, 'response', response,
            'answer', encode(answer, 'base64'),
            'restored', restored_at IS NOT NULL,
            'portfolios_analyzed_total', portfolios_analyzed_total,
            'advice_generated_total', advice_generated_total)
     -- By the key's hash (migrations/0011): it also finds a placeholder adopted after a restore.
     FROM analyses WHERE user_sub = caller.sub
       AND idempotency_key_sha256 = encode(sha256(convert_to($3::text, 'UTF8')), 'hex')) AS prior,
  (SELECT rules FROM rule_settings WHERE user_sub = caller.sub) AS settings,
  floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS db_now_ms
FROM caller`;

/** The read's text per history length, built once: a container uses one or two of them. */
const reads = new Map<number, string>();
function readFor(historySessions: number): string {
  const bars = Math.max(1, Math.trunc(historySessions));
  let text = reads.get(bars);
  if (text === undefined) {
    text = loadInputsSql(bars);
    reads.set(bars, text);
  }
  return text;
}

export function sqlAnalysisStore(sql: Sql): AnalysisStore {
  return {
    async loadInputs(asker, symbols, idempotencyKey, historySessions) {
      const withHistory = historySessions > 0;
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
      >(readFor(historySessions), [
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
        SELECT id, request_hash, response, encode(answer, 'base64') AS answer, restored_at IS NOT NULL AS restored,
               portfolios_analyzed_total, advice_generated_total
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
