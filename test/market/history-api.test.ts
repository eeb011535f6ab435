/** GET /api/market/{symbol}/history (SPEC §11): adjusted daily bars, oldest first. */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { newKey } from '../../functions/core/api-keys';
import { handler } from '../../functions/market-history';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { token } from '../helpers/tokens';
import { insertAction, insertBars, insertPrice, weekdays } from './fixtures';

const db = useTestDatabase();

async function history(symbol: string, query?: Record<string, string>, credential?: string | null) {
  const tok = credential === undefined ? await token('history-reader') : (credential ?? undefined);
  const res = await handler(
    apiEvent({
      path: `/api/market/${encodeURIComponent(symbol)}/history`,
      pathParameters: { symbol },
      token: tok,
      query,
    }),
    lambdaContext(),
  );
  return { status: res.statusCode, body: JSON.parse(res.body ?? 'null') };
}

beforeAll(async () => {
  const sql = db.current.sql;
  // Ten weekday sessions up to Friday 2026-11-27; a 1:5 split with ex-date Monday 2026-11-23.
  const sessions = weekdays('2026-11-27', 10);
  await insertBars(
    sql,
    'SPLIT',
    sessions.map((session) => ({ session, close: session < '2026-11-23' ? 1000 : 201.5, volume: 300 })),
  );
  await insertAction(
    sql,
    'SPLIT',
    '2026-11-23',
    'split',
    [10, 2],
    'Face Value Split (Sub-Division) - From Rs 10/- Per Share To Rs 2/- Per Share',
  );
  // A split announced for next month adjusts nothing yet.
  await insertAction(
    sql,
    'SPLIT',
    '2026-12-14',
    'split',
    [2, 1],
    'Face Value Split (Sub-Division) - From Rs 2/- Per Share To Rs 1/- Per Share',
  );
  // A tick-built bar, and a symbol with a price but no bars yet.
  await sql`
    INSERT INTO daily_bars (symbol, session, open, high, low, close, volume, open_v, close_v)
    VALUES ('TICKS', '2026-11-27', 100, 104.5, 99, 103, NULL, 'a', 'b')`;
  await insertPrice(sql, 'NEWLY', '50.00', '2026-11-27T06:00:00Z');
});

afterEach(() => {
  vi.useRealTimers();
});

describe('GET /api/market/{symbol}/history', () => {
  it('serves the sessions of the last `days` days up to today in IST, oldest first, adjusted', async () => {
    // 00:30 IST on Saturday 2026-11-28 is still Friday in UTC: "today" is the IST date.
    at('2026-11-27T19:00:00Z');
    const { status, body } = await history('split', { days: '8' });
    expect(status).toBe(200);
    // (2026-11-20, 2026-11-28]: Monday 23 to Friday 27.
    expect(body.symbol).toBe('SPLIT');
    expect(body.bars.map((b: { session: string }) => b.session)).toEqual([
      '2026-11-23',
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
    ]);
    expect(body.bars[0]).toEqual({
      session: '2026-11-23',
      open: 201.5,
      high: 201.5,
      low: 201.5,
      close: 201.5,
      volume: 300,
      official: true,
      adjusted: false,
    });
  });

  it('divides the bars before an ex-date by the split factor and multiplies their volume', async () => {
    at('2026-11-27T10:00:00Z');
    const { body } = await history('SPLIT');
    expect(body.bars).toHaveLength(10);
    expect(body.bars[0]).toEqual({
      session: '2026-11-16',
      open: 200,
      high: 200,
      low: 200,
      close: 200,
      volume: 1500,
      official: true,
      adjusted: true,
    });
    expect(body.bars.filter((b: { adjusted: boolean }) => b.adjusted)).toHaveLength(5);
  });

  it('serves tick-built bars as not official, and an empty list for a symbol with a price only', async () => {
    at('2026-11-27T10:00:00Z');
    expect((await history('TICKS', { days: '1' })).body.bars).toEqual([
      {
        session: '2026-11-27',
        open: 100,
        high: 104.5,
        low: 99,
        close: 103,
        volume: null,
        official: false,
        adjusted: false,
      },
    ]);
    expect(await history('NEWLY')).toEqual({ status: 200, body: { symbol: 'NEWLY', bars: [] } });
  });

  it('answers 404 for an unknown symbol and 400 naming the field for a bad one', async () => {
    const unknown = await history('NOSUCH');
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('NOSUCH');
    for (const days of ['0', '401', 'abc', '1.5', '-3', '']) {
      const bad = await history('SPLIT', { days });
      expect(bad.status, days).toBe(400);
      expect(bad.body.errors[0].field).toBe('days');
    }
    const badSymbol = await history('bad symbol!');
    expect(badSymbol.status).toBe(400);
    expect(badSymbol.body.errors[0].field).toBe('symbol');
  });

  it('takes an access token or an API key, and nothing else', async () => {
    const { key, prefix, hash } = newKey(randomBytes(32));
    await db.current.sql`INSERT INTO users (sub) VALUES ('history-keyed') ON CONFLICT DO NOTHING`;
    await db.current.sql`
      INSERT INTO api_keys (id, user_sub, name, prefix, key_hash, created_at)
      VALUES (gen_random_uuid(), 'history-keyed', 'chart', ${prefix}, decode(${hash}, 'hex'), now())`;
    expect((await history('SPLIT', { days: '400' }, key)).status).toBe(200);
    expect((await history('SPLIT', {}, null)).status).toBe(401);
  });
});
