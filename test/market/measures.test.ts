/**
 * Derived measures where users see them (SPEC §11): GET /api/market and an analysis's
 * per_stock and advice, from bars, corporate actions and price-only latest prices.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { measuresConfig } from '../../functions/analysis/config';
import { handler as market } from '../../functions/market';
import { analyzeOk } from '../helpers/analyze';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { token } from '../helpers/tokens';
import { insertAction, insertBars, insertPrice, weekdays } from './fixtures';

const db = useTestDatabase();

// The current session is Friday 2026-11-27 (price at 11:30 IST); bars up to Thursday.
const NOW = '2026-11-27T06:00:00Z';
const SESSIONS = weekdays('2026-11-26', 25);
const closes = (before: string, early: number, late: number) =>
  SESSIONS.map((session) => ({ session, close: session < before ? early : late, volume: 1000 }));

beforeAll(async () => {
  const sql = db.current.sql;
  // FALL: flat at 1000, now 940: −6 % on the day and over 7 days.
  await insertBars(sql, 'FALL', closes('2026-11-23', 1000, 1000));
  await insertPrice(sql, 'FALL', '940.00', NOW, 'Energy');
  // SPLIT: a 1:5 face-value split with ex-date Monday 2026-11-23; 200 after it is 1000 before.
  await insertBars(sql, 'SPLIT', closes('2026-11-23', 1000, 200));
  await insertPrice(sql, 'SPLIT', '197.00', NOW, 'IT');
  await insertAction(
    sql,
    'SPLIT',
    '2026-11-23',
    'split',
    [10, 2],
    'Face Value Split (Sub-Division) - From Rs 10/- Per Share To Rs 2/- Per Share',
  );
  // BONUS: a 1:1 bonus with ex-date Tuesday 2026-11-24.
  await insertBars(sql, 'BONUS', closes('2026-11-24', 800, 400));
  await insertPrice(sql, 'BONUS', '396.00', NOW, 'Banking');
  await insertAction(sql, 'BONUS', '2026-11-24', 'bonus', [2, 1], 'Bonus 1:1');
  // UNKNOWN: the same split, but nobody imported the action; the feed once sent −80 (before this price).
  await insertBars(sql, 'UNKNOWN', closes('2026-11-23', 1000, 200));
  await insertPrice(sql, 'UNKNOWN', '197.00', NOW, 'FMCG');
  await sql`UPDATE latest_prices SET change_7d_pct = -80, change_7d_pct_v = '0', volume = 12345, volume_v = '1'
            WHERE symbol = 'UNKNOWN'`;
});

afterEach(() => {
  delete process.env.DERIVED_MEASURES;
  measuresConfig.reset();
});

const PORTFOLIO = {
  portfolio: [
    { symbol: 'FALL', quantity: 1 },
    { symbol: 'SPLIT', quantity: 5 },
    { symbol: 'BONUS', quantity: 2 },
    { symbol: 'UNKNOWN', quantity: 5 },
  ],
};

type PerStock = { symbol: string; [field: string]: unknown };
const bySymbol = (rows: PerStock[]) => Object.fromEntries(rows.map((r) => [r.symbol, r]));
const rulesOf = (advice: unknown[]) =>
  (advice as { symbol: string; rule: string }[]).map((a) => `${a.symbol}:${a.rule}`);

describe('derived measures in an analysis', () => {
  it('a real fall fires sharp_drop; a known split or bonus does not; an unknown one gives null measures', async () => {
    const body = await analyzeOk('measures-user', PORTFOLIO);
    expect(rulesOf(body.advice)).toEqual(['FALL:sharp_drop']);
    const stocks = bySymbol((body.details as { per_stock: PerStock[] }).per_stock);
    expect(stocks.FALL).toMatchObject({
      change_1d_pct: -6,
      change_7d_pct: -6,
      measures_source: { change_1d_pct: 'derived', change_7d_pct: 'derived', volatility: 'derived' },
    });
    expect(stocks.FALL?.volatility).toBeGreaterThan(0);
    // (197 / (1000 / 5) − 1) × 100 = −1.5, and (396 / (800 / 2) − 1) × 100 = −1
    expect(stocks.SPLIT).toMatchObject({ change_1d_pct: -1.5, change_7d_pct: -1.5 });
    expect(stocks.BONUS).toMatchObject({ change_1d_pct: -1, change_7d_pct: -1 });
    expect(stocks.UNKNOWN).toMatchObject({
      change_1d_pct: -1.5,
      change_7d_pct: null,
      volatility: null,
      measures_source: {
        change_1d_pct: 'derived',
        change_7d_pct: 'unadjusted_gap',
        volatility: 'unadjusted_gap',
      },
    });
  });

  it('with DERIVED_MEASURES=off only what the feed sent is shown', async () => {
    process.env.DERIVED_MEASURES = 'off';
    measuresConfig.reset();
    const body = await analyzeOk('measures-off', PORTFOLIO);
    const stocks = bySymbol((body.details as { per_stock: PerStock[] }).per_stock);
    expect(stocks.FALL).toMatchObject({
      change_7d_pct: null,
      measures_source: { change_1d_pct: null, change_7d_pct: null, volatility: null },
    });
    expect(stocks.UNKNOWN).toMatchObject({
      change_7d_pct: -80,
      measures_source: { change_7d_pct: 'stale_feed' },
    });
    expect(rulesOf(body.advice)).not.toContain('FALL:sharp_drop');
  });
});

describe('derived measures in GET /api/market', () => {
  it('shows volume, the measures as derived and where each came from', async () => {
    const res = await market(
      apiEvent({
        path: '/api/market',
        token: await token('market-measures'),
        query: { symbols: 'FALL,UNKNOWN' },
      }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
    const [fall, unknown] = JSON.parse(res.body ?? '[]');
    expect(Object.keys(fall)).toEqual([
      'symbol',
      'price',
      'name',
      'sector',
      'change_1d_pct',
      'change_7d_pct',
      'volatility',
      'market_cap_cr',
      'volume',
      'ts',
      'measures_source',
    ]);
    expect(fall).toMatchObject({ symbol: 'FALL', price: 940, change_7d_pct: -6, volume: null });
    expect(fall.measures_source).toEqual({
      change_1d_pct: 'derived',
      change_7d_pct: 'derived',
      volatility: 'derived',
    });
    expect(unknown).toMatchObject({ symbol: 'UNKNOWN', change_7d_pct: null, volume: 12345 });
    expect(unknown.measures_source.change_7d_pct).toBe('unadjusted_gap');
  });

  it('volatility reads the last 20 returns, and the read brings every bar it needs', async () => {
    // 25 sessions; the last 20 returns (a = ln 1.1) are 121 → 100 (−2a), then 19 alternating
    // +a, −a, …, +a up to the price 110: mean −a/20, squares a²(1.95² + 10 × 1.05² + 9 × 0.95²)
    // = 22.95 a², so the volatility is a × √(22.95 / 19) = 0.104749… → 0.1047. The return into
    // 121 (130 → 121) is the 21st back and does not count; a read one bar short would drop 121 → 100.
    const closes = [
      100,
      130,
      100,
      130,
      130,
      121,
      ...Array.from({ length: 19 }, (_, i) => (i % 2 === 0 ? 100 : 110)),
    ];
    await insertBars(
      db.current.sql,
      'VOL',
      SESSIONS.map((session, i) => ({ session, close: closes[i] as number })),
    );
    await insertPrice(db.current.sql, 'VOL', '110.00', NOW);
    const res = await market(
      apiEvent({ path: '/api/market', token: await token('market-measures'), query: { symbols: 'VOL' } }),
      lambdaContext(),
    );
    const [row] = JSON.parse(res.body ?? '[]');
    expect(row).toMatchObject({ volatility: 0.1047, change_1d_pct: 10 });
    expect(row.measures_source.volatility).toBe('derived');
  });

  it('a measure the feed sent with the current price wins over the derived one', async () => {
    await db.current.sql`
      INSERT INTO latest_prices (symbol, price, ts, sequence_number, price_v, change_7d_pct, change_7d_pct_v)
      VALUES ('FEED', 100, ${NOW}, '7', '7', 3.5, '7')`;
    await insertBars(db.current.sql, 'FEED', closes('2026-11-23', 95, 95));
    const res = await market(
      apiEvent({ path: '/api/market', token: await token('market-measures'), query: { symbols: 'FEED' } }),
      lambdaContext(),
    );
    const [row] = JSON.parse(res.body ?? '[]');
    // Derived would be (100 / 95 − 1) × 100 = 5.26 on both: the 1-day change is derived, the 7-day one the feed's.
    expect(row).toMatchObject({ change_1d_pct: 5.26, change_7d_pct: 3.5 });
    expect(row.measures_source).toMatchObject({ change_1d_pct: 'derived', change_7d_pct: 'feed' });
  });
});
