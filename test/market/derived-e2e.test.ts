/**
 * End to end (SPEC §11, issue 17 item 4): a real feed sends only symbol, price and ts. Ticks
 * over several sessions go through the consumer into daily bars, and a real analyze derives the
 * 7-day change from them and fires sharp_drop.
 */
import { describe, expect, it } from 'vitest';
import { processBatch } from '../../functions/consumer';
import { sqlPriceStore } from '../../functions/market/price-store';
import { analyzeOk } from '../helpers/analyze';
import { useTestDatabase } from '../helpers/db';
import { kinesisEvent } from '../helpers/events';
import { weekdays } from './fixtures';

const db = useTestDatabase();

/** A price-only tick at `hhmm` IST on `session`. */
const tick = (symbol: string, session: string, hhmm: string, price: number) => ({
  data: { symbol, price, ts: new Date(`${session}T${hhmm}:00+05:30`).toISOString() },
});

describe('price-only ticks over several sessions', () => {
  it('make sharp_drop fire in a real analyze, from measures derived by the service', async () => {
    // Twelve sessions around 500, then a last session that closes 6 % lower: two ticks a session
    // (open and close), delivered out of order in two batches.
    const sessions = weekdays('2026-11-27', 12);
    const ticks = sessions.flatMap((session, i) => {
      const close = i === sessions.length - 1 ? 470 : 500 + (i % 2);
      return [tick('DROPCO', session, '09:15', 499), tick('DROPCO', session, '15:29', close)];
    });
    const store = sqlPriceStore(db.current.sql);
    const half = Math.floor(ticks.length / 2);
    for (const batch of [ticks.slice(half), ticks.slice(0, half)]) {
      expect((await processBatch(kinesisEvent(batch), store)).batchItemFailures).toEqual([]);
    }
    const [bars] = await db.current.sql<[{ n: number }]>`SELECT count(*)::int AS n FROM daily_bars`;
    // One bar per session, built by the consumer from the ticks alone.
    expect(bars?.n).toBe(sessions.length);

    const body = await analyzeOk('e2e-investor', {
      portfolio: [
        { symbol: 'DROPCO', quantity: 10 },
        { symbol: 'NOSUCH', quantity: 1 },
      ],
    });
    // C₇ = the close of Friday 2026-11-20 = 500 (i = 6, even): 470 / 500 − 1 = −6 %.
    expect((body.advice as { symbol: string; rule: string }[]).map((a) => `${a.symbol}:${a.rule}`)).toContain(
      'DROPCO:sharp_drop',
    );
    const [stock] = (body.details as { per_stock: Record<string, unknown>[] }).per_stock;
    expect(stock).toMatchObject({ symbol: 'DROPCO', price: 470, change_7d_pct: -6 });
    expect(stock?.measures_source).toEqual({
      change_1d_pct: 'derived',
      change_7d_pct: 'derived',
      volatility: 'derived',
    });
  });
});
