/** Daily bars maintained by the consumer in its one batch statement (SPEC §11). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/consumer';
import { useTestDatabase } from '../helpers/db';
import { deliveries, kinesisEvent, lambdaContext } from '../helpers/events';

const db = useTestDatabase();

async function reset() {
  await db.current.sql`TRUNCATE latest_prices, quarantined_ticks, daily_bars`;
}

async function bars() {
  return db.current.sql`
    SELECT symbol, session::text, open::text, high::text, low::text, close::text, volume::int, official
    FROM daily_bars ORDER BY symbol COLLATE "C", session`;
}

/** 2026-11-27 09:15 IST; `at(h)` is h hours later. */
const T0 = Date.parse('2026-11-27T03:45:00Z');
const at = (hours: number) => new Date(T0 + hours * 3600_000).toISOString();

describe('daily bars in the consumer', () => {
  it('builds open, high, low, close and volume per symbol and IST session', async () => {
    await reset();
    await handler(
      kinesisEvent([
        { data: { symbol: 'TCS', price: 4010, ts: at(1), volume: 1_000 } },
        { data: { symbol: 'TCS', price: 4000, ts: at(0), volume: 200 } },
        { data: { symbol: 'TCS', price: 4120.5, ts: at(2) } },
        { data: { symbol: 'TCS', price: 3980, ts: at(3), volume: 1_500 } },
        // 15 hours after 09:15 IST is 00:15 IST the next day: the next session.
        { data: { symbol: 'TCS', price: 4050, ts: at(15) } },
      ]),
      lambdaContext(),
    );
    expect(await bars()).toEqual([
      {
        symbol: 'TCS',
        session: '2026-11-27',
        open: '4000.00',
        high: '4120.50',
        low: '3980.00',
        close: '3980.00',
        volume: 1_500,
        official: false,
      },
      {
        symbol: 'TCS',
        session: '2026-11-28',
        open: '4050.00',
        high: '4050.00',
        low: '4050.00',
        close: '4050.00',
        volume: null,
        official: false,
      },
    ]);
    // The latest price keeps the volume of the newest tick that carried one, like any field.
    const [latest] = await db.current.sql<{ volume: string }[]>`SELECT volume::text FROM latest_prices`;
    expect(latest?.volume).toBe('1500');
  });

  it('extends a stored bar with a later batch: older open, newer close, wider extremes', async () => {
    await reset();
    await handler(
      kinesisEvent([{ data: { symbol: 'INFY', price: 1500, ts: at(2), volume: 50 } }]),
      lambdaContext(),
    );
    await handler(
      kinesisEvent([
        { data: { symbol: 'INFY', price: 1490, ts: at(0), volume: 10 } },
        { data: { symbol: 'INFY', price: 1510, ts: at(3) } },
      ]),
      lambdaContext(),
    );
    expect((await bars())[0]).toMatchObject({
      open: '1490.00',
      high: '1510.00',
      low: '1490.00',
      close: '1510.00',
      volume: 50,
    });
  });

  it('quarantines a tick whose volume is negative or fractional, and builds no bar from it', async () => {
    await reset();
    await handler(
      kinesisEvent([
        { data: { symbol: 'TCS', price: 4000, ts: at(0), volume: -1 } },
        { data: { symbol: 'TCS', price: 4000, ts: at(0), volume: 1.5 } },
      ]),
      lambdaContext(),
    );
    const reasons = await db.current.sql<{ reason: string }[]>`SELECT reason FROM quarantined_ticks`;
    expect(reasons.map((r) => r.reason)).toEqual([
      expect.stringMatching(/volume/),
      expect.stringMatching(/volume/),
    ]);
    expect(await bars()).toEqual([]);
  });

  it('leaves an official bar alone', async () => {
    await reset();
    await db.current.sql`
      INSERT INTO daily_bars (symbol, session, open, high, low, close, volume, official)
      VALUES ('ITC', '2026-11-27', 400, 420, 395, 410, 9000000, true)`;
    await handler(
      kinesisEvent([{ data: { symbol: 'ITC', price: 500, ts: at(4), volume: 99_000_000 } }]),
      lambdaContext(),
    );
    expect(await bars()).toEqual([
      {
        symbol: 'ITC',
        session: '2026-11-27',
        open: '400.00',
        high: '420.00',
        low: '395.00',
        close: '410.00',
        volume: 9_000_000,
        official: true,
      },
    ]);
  });

  it('gives the same bars for any order, duplication, replay and split of the same ticks (property)', async () => {
    const tick = fc.record(
      {
        symbol: fc.constantFrom('TCS', 'M&M'),
        price: fc.integer({ min: 1, max: 1_000_000 }).map((p) => p / 100),
        // Some ticks share a ts: the sequence number orders them.
        ts: fc.integer({ min: 0, max: 30 }).map(at),
        volume: fc.nat(1_000_000),
      },
      { requiredKeys: ['symbol', 'price', 'ts'] },
    );
    await fc.assert(
      fc.asyncProperty(deliveries(tick, T0), async ({ records, shuffled, split, again }) => {
        await reset();
        await handler(kinesisEvent(records), lambdaContext());
        const inOrder = await bars();
        await reset();
        // The second half first, then the first half with duplicates, then a replay of some.
        await handler(kinesisEvent(shuffled.slice(split)), lambdaContext());
        await handler(kinesisEvent([...shuffled.slice(0, split), ...again]), lambdaContext());
        await handler(kinesisEvent(again), lambdaContext());
        expect(await bars()).toEqual(inOrder);
      }),
      { numRuns: 40 },
    );
  });
});
