/**
 * Set-based fills for the benches: `count` analyses with everything the analyze statement writes
 * for them (the analysis, its 2 ledger rows, their outbox rows — already sent — and the users'
 * day counters), consistent enough for `npm run check-ledger`. Never through the API: a million
 * analyses take seconds this way and hours that way.
 */
import { encodeAnalysis } from '../functions/analysis/stored-answer';
import type { Sql } from '../functions/platform/db';
import { fixedAnalysis } from './write-fixture';

/** The bench's fixed analysis as analyze stores it: 5 holdings, 3 advice items, risk. */
const STORED = (() => {
  const a = fixedAnalysis('bench-fill', new Date('2026-11-28T06:30:00Z'), null);
  return encodeAnalysis({ holdings: a.portfolio, body: a.body }, a.id);
})();

export interface Fill {
  /** Users `${prefix}1` … `${prefix}${users}`; analysis g goes to user g mod users. */
  prefix: string;
  users: number;
  count: number;
  /** Analyses are spread over this many days before `end`, several per second. */
  days: number;
  end?: string;
  /** Analyses per statement (RETURNING rows are held in memory). */
  batch?: number;
}

/** Insert the fill; returns the seconds it took. */
export async function fillAnalyses(sql: Sql, f: Fill): Promise<number> {
  const started = performance.now();
  const end = f.end ?? '2026-11-28 12:00+05:30';
  const batch = f.batch ?? 500_000;
  await sql.unsafe(
    `INSERT INTO users (sub) SELECT $1 || g FROM generate_series(1, ${f.users}) g ON CONFLICT (sub) DO NOTHING`,
    [f.prefix],
  );
  for (let from = 1; from <= f.count; from += batch) {
    const to = Math.min(f.count, from + batch - 1);
    await sql.unsafe(
      `
      WITH t AS (
        SELECT g, $2::timestamptz - (g % ${f.days}) * interval '1 day' - (g % 36000) * interval '1 second' AS at,
               replace(gen_random_uuid()::text, '-', '') AS r
        FROM generate_series(${from}, ${to}) g
      ), a AS (
        -- What analyze writes since migrations/0013: a time-ordered (v7) id and the stored answer,
        -- the same bytes for every row (the id is left out of them: stored-answer.ts).
        INSERT INTO analyses (id, user_sub, rule_set, advice_count, portfolio_value_paise,
                              charged_paise, answer, portfolios_analyzed_total, advice_generated_total, created_at)
        SELECT (lpad(to_hex(floor(extract(epoch FROM t.at) * 1000)::bigint), 12, '0') || '7'
                || substr(t.r, 1, 3) || '8' || substr(t.r, 4, 15))::uuid,
               $1 || (g % ${f.users} + 1), 'bench-fill', 3, 60814400, 1100, $3::bytea, 0, 0, t.at
        FROM t
        RETURNING id, user_sub, created_at
      ), e AS (
        INSERT INTO usage_events (analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at)
        SELECT a.id, f.feature, a.user_sub, f.quantity, f.price, a.created_at
        FROM a CROSS JOIN (VALUES ('portfolio_analysis', 1, 500), ('advice_generation', 3, 200)) AS f(feature, quantity, price)
        RETURNING analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at
      ), o AS (
        INSERT INTO billing_outbox (analysis_id, feature, status, attempts, next_attempt_at, sent_at)
        SELECT analysis_id, feature, 'sent', 1, occurred_at, occurred_at FROM e
      )
      INSERT INTO usage_daily AS d (user_sub, day, feature, unit_price_paise, quantity)
      SELECT user_sub, (occurred_at AT TIME ZONE 'Asia/Kolkata')::date, feature, unit_price_paise, sum(quantity)
      FROM e GROUP BY 1, 2, 3, 4
      ON CONFLICT (user_sub, day, feature, unit_price_paise) DO UPDATE SET quantity = d.quantity + EXCLUDED.quantity`,
      [f.prefix, end, STORED],
    );
  }
  return (performance.now() - started) / 1000;
}
