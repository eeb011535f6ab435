/**
 * The per-user day counters (usage_daily, migrations/0012) that the analyze statement keeps and
 * every usage and billing read sums: split by IST day and by the unit price in force, and the
 * all-time totals in each answer assembled from today's updated rows plus the other days'.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { priceListConfig } from '../../functions/analysis/config';
import { sqlUsageStore } from '../../functions/analysis/usage-store';
import { checkLedger } from '../../scripts/lib/ledger-invariants';
import { analyzeOkAt } from '../helpers/analyze';
import { useTestDatabase } from '../helpers/db';
import { withEnv } from '../helpers/env';
import { CALM, FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';

const db = useTestDatabase();

beforeAll(async () => seedPrices(db.current.sql, FIXTURE));
afterEach(() => vi.useRealTimers());

const withPrices = <T>(analysis: string, advice: string, fn: () => Promise<T>) =>
  withEnv({ PRICE_PORTFOLIO_ANALYSIS_INR: analysis, PRICE_ADVICE_ITEM_INR: advice }, [priceListConfig], fn);

describe('usage_daily', () => {
  it('counts by IST day and unit price, and each answer carries the exact all-time totals', async () => {
    const sub = 'daily-a';
    // 23:50 IST is still 2 November; 00:10 IST is 3 November (18:40 UTC on the 2nd).
    const first = await analyzeOkAt('2026-11-02T23:50:00+05:30', sub, TWO_ADVICE);
    expect(first.usage).toEqual({ portfolios_analyzed_total: 1, advice_generated_total: 2 });
    const second = await analyzeOkAt('2026-11-03T00:10:00+05:30', sub, CALM);
    expect(second.usage).toEqual({ portfolios_analyzed_total: 2, advice_generated_total: 2 });
    // A price change during the day starts new rows beside the day's old-price rows.
    const third = await withPrices('6.00', '2.50', () =>
      analyzeOkAt('2026-11-03T00:20:00+05:30', sub, TWO_ADVICE),
    );
    expect(third.usage).toEqual({ portfolios_analyzed_total: 3, advice_generated_total: 4 });
    const fourth = await analyzeOkAt('2026-11-03T09:00:00+05:30', sub, TWO_ADVICE);
    expect(fourth.usage).toEqual({ portfolios_analyzed_total: 4, advice_generated_total: 6 });

    const rows = await db.current.sql`
      SELECT day::text, feature, unit_price_paise::int AS price, quantity::int
      FROM usage_daily WHERE user_sub = ${sub} ORDER BY day, feature, unit_price_paise`;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { day: '2026-11-02', feature: 'advice_generation', price: 200, quantity: 2 },
      { day: '2026-11-02', feature: 'portfolio_analysis', price: 500, quantity: 1 },
      { day: '2026-11-03', feature: 'advice_generation', price: 200, quantity: 2 },
      { day: '2026-11-03', feature: 'advice_generation', price: 250, quantity: 2 },
      { day: '2026-11-03', feature: 'portfolio_analysis', price: 500, quantity: 2 },
      { day: '2026-11-03', feature: 'portfolio_analysis', price: 600, quantity: 1 },
    ]);

    const store = sqlUsageStore(db.current.sql);
    const third_of_november = {
      from: new Date('2026-11-03T00:00:00+05:30'),
      to: new Date('2026-11-04T00:00:00+05:30'),
    };
    expect(await store.inWindow(sub, third_of_november)).toEqual({
      portfolios_analyzed_total: 3,
      advice_generated_total: 4,
    });
    expect(await store.allTime(sub)).toEqual(fourth.usage);
    const bill = await store.periodGroups(sub, '2026-11-01');
    expect(bill.map((g) => [g.feature, Number(g.unitPricePaise), Number(g.quantity)]).sort()).toEqual([
      ['advice_generation', 200, 4],
      ['advice_generation', 250, 2],
      ['portfolio_analysis', 500, 3],
      ['portfolio_analysis', 600, 1],
    ]);
    expect(await checkLedger(db.current.sql)).toEqual([]);
  });

  it('concurrent analyses of one user on one day each get distinct totals and the counters add up', async () => {
    const sub = 'daily-b';
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => analyzeOkAt('2026-11-05T10:00:00+05:30', sub, TWO_ADVICE)),
    );
    const totals = answers.map(
      (a) => (a.usage as { portfolios_analyzed_total: number }).portfolios_analyzed_total,
    );
    expect(totals.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const [row] = await db.current.sql`
      SELECT sum(quantity)::int AS n FROM usage_daily WHERE user_sub = ${sub} AND feature = 'portfolio_analysis'`;
    expect(row?.n).toBe(8);
    expect(await checkLedger(db.current.sql)).toEqual([]);
  });
});
