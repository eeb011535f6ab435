/**
 * `/health` looks for history gaps on every uncached probe (functions/market/feed-health.ts):
 * the scan must read the same few dozen bars per symbol however long the history grows, through
 * the (symbol, session) index and the 60-day window, never the whole table. Counted as the rows
 * the plan's daily_bars scan returns (EXPLAIN ANALYZE), not as time.
 */
import { expect, it } from 'vitest';
import { GAP_THRESHOLD } from '../../functions/core/market-history';
import { gapWindowStart, PRICE_HEALTH } from '../../functions/market/feed-health';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase();
const NOW = new Date('2026-12-05T06:00:00Z');

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** Rows the health statement reads from daily_bars (every scan of it, all loops). */
async function barsRead(): Promise<number> {
  const sql = db.current.sql;
  await sql`ANALYZE daily_bars`;
  const [row] = await sql.unsafe<[{ 'QUERY PLAN': [{ Plan: PlanNode }] }]>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${PRICE_HEALTH}`,
    [null, gapWindowStart(NOW), GAP_THRESHOLD],
  );
  const sum = (n: PlanNode): number =>
    (n['Relation Name'] === 'daily_bars' ? (n['Actual Rows'] ?? 0) * (n['Actual Loops'] ?? 0) : 0) +
    (n.Plans ?? []).reduce((s, c) => s + sum(c), 0);
  return sum(row['QUERY PLAN'][0].Plan);
}

/** Flat weekday bars of every priced symbol from `from` to `to`. */
const bars = (from: string, to: string) => db.current.sql`
  INSERT INTO daily_bars (symbol, session, open, high, low, close, official)
  SELECT lp.symbol, d::date, 100, 100, 100, 100, true
  FROM latest_prices lp, generate_series(${from}::date, ${to}::date, interval '1 day') d
  WHERE extract(isodow FROM d) < 6
  ON CONFLICT DO NOTHING`;

it('reads a bounded number of bars per symbol: ten more years of history read nothing more', async () => {
  // Prepare: three priced symbols with about 120 sessions of history.
  const sql = db.current.sql;
  await sql`INSERT INTO latest_prices (symbol, price, ts, sequence_number, price_v)
            VALUES ('GAPA', 100, ${NOW}, '1', '1'), ('GAPB', 100, ${NOW}, '2', '2'), ('GAPC', 100, ${NOW}, '3', '3')`;
  await bars('2026-06-22', '2026-12-04');
  const [{ inWindow }] = await sql<[{ inWindow: number }]>`
    SELECT count(*)::int AS "inWindow" FROM daily_bars WHERE session >= ${gapWindowStart(NOW)}::date`;

  // Act
  const recent = await barsRead();
  await bars('2016-06-01', '2026-06-21');
  const long = await barsRead();

  // Assess: exactly the window's bars (3 × ~43 weekdays), before and after.
  expect(inWindow).toBeLessThan(3 * 45);
  expect(recent).toBe(inWindow);
  expect(long).toBe(inWindow);
});
