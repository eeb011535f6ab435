/**
 * GET /health's feed health (SPEC §11) and its cached database probe (issue 16 item 8):
 * stale symbols only during NSE trading hours, unexplained > 40 % moves in recent daily bars,
 * and a flood of requests within 5 s costing one probe, counted on the wire.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as health, healthConfig } from '../../functions/health';
import { NSE_CALENDAR, parseHolidayCalendar } from '../../functions/market/feed-health';
import { dbConfig } from '../../functions/platform/config';
import { closeDb } from '../../functions/platform/db';
import { startPgProxy } from '../../local/pg-proxy';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { withEnv } from '../helpers/env';
import { apiEvent, lambdaContext } from '../helpers/events';
import { validateResponse } from '../helpers/openapi';

const db = useTestDatabase();

afterEach(() => {
  vi.useRealTimers();
});

async function getHealth() {
  const res = await health(apiEvent({ path: '/health' }), lambdaContext());
  expect(validateResponse('GET', '/health', res)).toEqual([]);
  return { status: res.statusCode, body: JSON.parse(res.body ?? 'null') };
}

/** latest_prices rows with the given last-tick times (IST), and nothing else. */
async function ticksAt(rows: Record<string, string>) {
  await db.current.sql`TRUNCATE latest_prices, daily_bars, corporate_actions`;
  for (const [symbol, ts] of Object.entries(rows)) {
    await db.current.sql`
      INSERT INTO latest_prices (symbol, price, ts, sequence_number, price_v)
      VALUES (${symbol}, 100, ${ts}, '1', '1')`;
  }
}

/** Official daily bars: symbol → [session, close][]. */
async function bars(rows: Record<string, [string, number][]>) {
  for (const [symbol, closes] of Object.entries(rows)) {
    for (const [session, close] of closes) {
      await db.current.sql`
        INSERT INTO daily_bars (symbol, session, open, high, low, close, official)
        VALUES (${symbol}, ${session}, ${close}, ${close}, ${close}, ${close}, true)`;
    }
  }
}

describe('GET /health: stale symbols during NSE trading hours', () => {
  it('counts symbols with no tick for 15 minutes during the session, and is degraded', async () => {
    await ticksAt({
      TCS: '2026-12-01T10:59:00+05:30',
      INFY: '2026-12-01T10:44:59+05:30',
      SBIN: '2026-11-30T15:29:00+05:30',
    });
    at('2026-12-01T11:00:00+05:30'); // a Tuesday
    const { status, body } = await getHealth();
    expect(status).toBe(200);
    expect(body.prices).toEqual({
      count: 3,
      newest_ts: '2026-12-01T05:29:00.000Z',
      market: 'open',
      stale: 2,
    });
    expect(body.status).toBe('degraded');
  });

  it('is ok when every symbol ticked within 15 minutes', async () => {
    await ticksAt({ TCS: '2026-12-01T10:59:00+05:30', INFY: '2026-12-01T10:45:01+05:30' });
    at('2026-12-01T11:00:00+05:30');
    const { body } = await getHealth();
    expect(body).toMatchObject({ status: 'ok', prices: { market: 'open', stale: 0 }, history_gaps: [] });
  });

  it("counts nothing stale in the session's first 15 minutes (yesterday's last tick is not a fault)", async () => {
    await ticksAt({ TCS: '2026-11-30T15:29:00+05:30' });
    at('2026-12-01T09:25:00+05:30');
    expect((await getHealth()).body).toMatchObject({ status: 'ok', prices: { market: 'open', stale: 0 } });
  });

  it('reports the market closed, not stale, at night, on a weekend and on an NSE holiday', async () => {
    await ticksAt({ TCS: '2026-12-01T15:29:00+05:30' });
    for (const now of [
      '2026-12-01T20:00:00+05:30',
      '2026-12-05T11:00:00+05:30',
      '2026-12-25T11:00:00+05:30',
    ]) {
      at(now);
      const { body } = await getHealth();
      expect(body, now).toMatchObject({ status: 'ok', prices: { market: 'closed', stale: null } });
    }
  });

  it('says the calendar is unknown in a year the holiday list lacks, and still counts staleness', async () => {
    await ticksAt({ TCS: '2030-01-07T09:00:00+05:30' });
    at('2030-01-07T11:00:00+05:30'); // a Monday of a year data/nse-holidays.json does not cover
    expect((await getHealth()).body).toMatchObject({
      status: 'degraded',
      prices: { market: 'unknown_calendar', stale: 1 },
    });
  });
});

describe('GET /health: history_gaps', () => {
  it('lists symbols with an unexplained > 40 % close-to-close move in recent history', async () => {
    await ticksAt({
      SPLIT: '2026-11-27T15:00:00+05:30',
      CRASH: '2026-11-27T15:00:00+05:30',
      JUMP: '2026-11-27T15:00:00+05:30',
      DIP: '2026-11-27T15:00:00+05:30',
      OLDGAP: '2026-11-27T15:00:00+05:30',
    });
    await bars({
      SPLIT: [
        ['2026-11-19', 1000],
        ['2026-11-20', 1010],
        ['2026-11-23', 202],
        ['2026-11-24', 205],
      ],
      CRASH: [
        ['2026-11-19', 1000],
        ['2026-11-20', 1010],
        ['2026-11-23', 202],
      ],
      JUMP: [
        ['2026-11-20', 100],
        ['2026-11-23', 140.01],
      ],
      DIP: [
        ['2026-11-20', 100],
        ['2026-11-23', 60],
      ], // exactly −40 %: not more than 40 %
      OLDGAP: [
        ['2026-08-03', 1000],
        ['2026-08-04', 200],
        ['2026-11-20', 200],
      ], // before the 60-day window
    });
    // SPLIT's 1:5 split has its ex-date between the two sessions; CRASH's action is a week late.
    await db.current.sql`
      INSERT INTO corporate_actions (symbol, ex_date, kind, factor_num, factor_den, purpose)
      VALUES ('SPLIT', '2026-11-23', 'split', 10, 2, 'Face Value Split (Sub-Division) - From Rs 10/- Per Share To Rs 2/- Per Share'),
             ('CRASH', '2026-11-30', 'split', 10, 2, 'Face Value Split (Sub-Division) - From Rs 10/- Per Share To Rs 2/- Per Share')`;
    at('2026-11-29T12:00:00+05:30'); // a Sunday: the market is closed, gaps still show
    const { body } = await getHealth();
    expect(body.history_gaps).toEqual(['CRASH', 'JUMP']);
    expect(body.status).toBe('degraded');
  });

  it('is empty, and the status ok, when the moves are explained or small', async () => {
    await ticksAt({ SPLIT: '2026-11-27T15:00:00+05:30' });
    await bars({
      SPLIT: [
        ['2026-11-20', 1010],
        ['2026-11-23', 202],
      ],
    });
    await db.current.sql`
      INSERT INTO corporate_actions (symbol, ex_date, kind, factor_num, factor_den, purpose)
      VALUES ('SPLIT', '2026-11-21', 'bonus', 5, 1, 'Bonus 4:1')`; // ex-date on the weekend between
    at('2026-11-29T12:00:00+05:30');
    expect((await getHealth()).body).toMatchObject({ status: 'ok', history_gaps: [] });
  });
});

describe('GET /health: the database probe is cached per container for 5 s', () => {
  it('answers a flood of requests within the window with one probe, and probes again after it', async () => {
    await ticksAt({ TCS: '2026-11-27T15:00:00+05:30' });
    const proxy = await startPgProxy(db.current.url);
    await closeDb();
    try {
      await withEnv(
        { DATABASE_URL: proxy.url, DB_MAX_CONNECTIONS: '1', HEALTH_CACHE_MS: '5000' },
        [dbConfig, healthConfig],
        async () => {
          at('2026-11-29T12:00:00.000+05:30');
          await getHealth(); // connects; the client's first queries (type lookup) are not the probe's
          at('2026-11-29T13:00:10.000+05:30'); // that probe has expired
          proxy.reset();
          const first = await getHealth();
          const oneProbe = proxy.roundTrips();
          expect(oneProbe).toBeGreaterThan(0);

          // A flood: 100 concurrent requests, then 100 more one by one, 4.9 s into the window.
          await db.current.sql`UPDATE latest_prices SET ts = '2026-11-27T15:01:00+05:30'`;
          at('2026-11-29T13:00:14.900+05:30');
          const flood = await Promise.all(Array.from({ length: 100 }, () => getHealth()));
          for (let i = 0; i < 100; i++) flood.push(await getHealth());
          expect(proxy.roundTrips()).toBe(oneProbe); // not one more round trip for 200 requests
          expect(flood.every((r) => r.status === 200)).toBe(true);
          expect(flood.every((r) => r.body.prices.newest_ts === first.body.prices.newest_ts)).toBe(true);

          // 5 s after the probe started, the next request probes again and sees the change.
          at('2026-11-29T13:00:15.000+05:30');
          const fresh = await getHealth();
          expect(proxy.roundTrips()).toBeGreaterThan(oneProbe);
          expect(fresh.body.prices.newest_ts).toBe('2026-11-27T09:31:00.000Z');
        },
      );
    } finally {
      await closeDb();
      await proxy.close();
    }
  });
});

describe('data/nse-holidays.json', () => {
  it("holds NSE's 16 weekday trading holidays of 2026, Republic Day and Christmas among them", () => {
    expect(NSE_CALENDAR.years['2026']).toHaveLength(16);
    expect(NSE_CALENDAR.years['2026']).toEqual(expect.arrayContaining(['2026-01-26', '2026-12-25']));
  });

  it('refuses a list with a weekend day or a date filed under the wrong year', () => {
    const file = (date: string) => ({ years: { '2026': [{ date, name: 'x' }] } });
    expect(() => parseHolidayCalendar(file('2026-08-15'))).toThrow(/not a weekday/); // a Saturday
    expect(() => parseHolidayCalendar(file('2027-01-26'))).toThrow(/not a weekday of that year/);
    expect(parseHolidayCalendar(file('2026-01-26'))).toEqual({ years: { '2026': ['2026-01-26'] } });
  });
});
