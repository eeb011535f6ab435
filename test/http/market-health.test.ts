import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as health } from '../../functions/health';
import { handler as market } from '../../functions/market';
import { at } from '../helpers/clock';
import { DATABASE_INTERNALS, useTestDatabase, withDatabaseDown } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { token } from '../helpers/tokens';

const db = useTestDatabase();

async function seed() {
  await db.current.sql`TRUNCATE latest_prices`;
  await db.current.sql`
    INSERT INTO latest_prices (symbol, price, name, sector, change_7d_pct, ts, sequence_number, price_v)
    VALUES ('TCS', 4090.5, 'Tata Consultancy Services', 'IT', -1.5, '2026-11-27T09:15:00Z', '1', 1),
           ('M&M', 2987.45, 'Mahindra & Mahindra', 'Auto', 2, '2026-11-27T09:16:00Z', '2', 2),
           ('BAJAJ-AUTO', 8900, NULL, NULL, NULL, '2026-11-27T09:14:00Z', '3', 3)`;
}

async function getMarket(query?: Record<string, string>) {
  const result = await market(
    apiEvent({ path: '/api/market', token: await token('market-reader'), query }),
    lambdaContext(),
  );
  return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
}

describe('GET /api/market', () => {
  it('lists every latest price sorted by symbol with all fields', async () => {
    await seed();
    const { status, body } = await getMarket();
    expect(status).toBe(200);
    expect(body.map((r: { symbol: string }) => r.symbol)).toEqual(['BAJAJ-AUTO', 'M&M', 'TCS']);
    expect(body[2]).toEqual({
      symbol: 'TCS',
      price: 4090.5,
      name: 'Tata Consultancy Services',
      sector: 'IT',
      change_1d_pct: null,
      change_7d_pct: -1.5,
      volatility: null,
      market_cap_cr: null,
      volume: null,
      ts: '2026-11-27T09:15:00.000Z',
      // No bars: what the feed sent, or nothing (SPEC §11).
      measures_source: { change_1d_pct: null, change_7d_pct: 'feed', volatility: null },
    });
  });

  it('filters by ?symbols=, normalizing case and spaces', async () => {
    await seed();
    const { body } = await getMarket({ symbols: ' tcs ,m&m,UNKNOWN' });
    expect(body.map((r: { symbol: string }) => r.symbol)).toEqual(['M&M', 'TCS']);
  });

  it('rejects a hostile symbols filter with 400 naming the field', async () => {
    for (const symbols of ["TCS';DROP TABLE users;--", ',', 'A'.repeat(21), Array(101).fill('X').join(',')]) {
      const { status, body } = await getMarket({ symbols });
      expect(status).toBe(400);
      expect(body.errors[0].field).toBe('symbols');
    }
    expect((await db.current.sql`SELECT count(*)::int AS n FROM users`)[0]?.n).toBeGreaterThan(0);
  });
});

describe('GET /health', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is public and reports the database and price freshness', async () => {
    await seed();
    at('2026-11-29T12:00:00+05:30'); // a Sunday: no staleness (test/api/health.test.ts covers it)
    const result = await health(apiEvent({ path: '/health' }), lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({
      status: 'ok',
      database: 'ok',
      prices: { count: 3, newest_ts: '2026-11-27T09:16:00.000Z', market: 'closed', stale: null },
      history_gaps: [],
      billing_sync: { enabled: false },
    });
  });

  it('answers 503 with Retry-After and no internals when the database is down', async () => {
    await withDatabaseDown(async () => {
      const result = await health(apiEvent({ path: '/health' }), lambdaContext());
      expect(result.statusCode).toBe(503);
      expect(result.headers?.['retry-after']).toBe('5');
      expect(result.body).not.toMatch(DATABASE_INTERNALS);
      const marketResult = await market(
        apiEvent({ path: '/api/market', token: await token('m2') }),
        lambdaContext(),
      );
      expect(marketResult.statusCode).toBe(503);
      expect(marketResult.headers?.['content-type']).toBe('application/problem+json');
      expect(marketResult.body).not.toMatch(DATABASE_INTERNALS);
    });
  });
});
