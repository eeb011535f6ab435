/**
 * The feed-staleness monitor against a real database: what it publishes in trading hours and
 * that it publishes no tick age when the market is closed (so the alarm stays quiet).
 */
import { describe, expect, it, vi } from 'vitest';
import type { HolidayCalendar } from '../../functions/core/trading-hours';
import { CALENDAR_MISSING_METRIC, monitorFeed, NEWEST_TICK_AGE_METRIC } from '../../functions/feed-monitor';
import { NSE_CALENDAR } from '../../functions/market/feed-health';
import { powertools } from '../../functions/platform/powertools';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase();

/** The list as it stands for 2026 only: the "missing year" cases hold after 2027 is added to data/. */
const ONLY_2026: HolidayCalendar = { years: { '2026': NSE_CALENDAR.years['2026'] ?? [] } };

async function run(nowIso: string, newestTickIso: string | null, calendar = ONLY_2026) {
  await db.current.sql`TRUNCATE latest_prices`;
  if (newestTickIso) {
    await db.current.sql`
      INSERT INTO latest_prices (symbol, price, ts, sequence_number, price_v)
      VALUES ('TCS', 4000, ${newestTickIso}, '1', '1'), ('INFY', 1500, '2026-11-02T10:00:00+05:30', '1', '1')`;
  }
  const tools = powertools('feed-monitor-test');
  const added = vi.spyOn(tools.metrics, 'addMetric');
  let queried = false;
  const sql = async () => {
    queried = true;
    return db.current.sql;
  };
  const result = await monitorFeed(sql, new Date(nowIso), tools, calendar);
  const metrics = Object.fromEntries(added.mock.calls.map(([name, , value]) => [name, value]));
  return { result, metrics, queried };
}

describe('feed monitor', () => {
  it('publishes the trading time since the newest tick during the session', async () => {
    const { result, metrics } = await run('2026-12-01T11:06:00+05:30', '2026-12-01T11:00:00+05:30');
    expect(result).toEqual({ market: 'open', newestTickAgeSeconds: 360 });
    expect(metrics[NEWEST_TICK_AGE_METRIC]).toBe(360); // over the alarm's 300 s
    expect(metrics[CALENDAR_MISSING_METRIC]).toBe(0);
  });

  it('counts from 09:15 when the newest tick is from the day before, or there is none', async () => {
    expect((await run('2026-12-01T09:17:00+05:30', '2026-11-30T15:29:00+05:30')).metrics).toMatchObject({
      [NEWEST_TICK_AGE_METRIC]: 120,
    });
    expect((await run('2026-12-01T09:21:00+05:30', null)).metrics).toMatchObject({
      [NEWEST_TICK_AGE_METRIC]: 360,
    });
  });

  it('publishes no tick age at night, on a weekend or on an NSE holiday, however old the tick', async () => {
    for (const now of [
      '2026-12-01T22:00:00+05:30',
      '2026-12-06T11:00:00+05:30',
      '2026-12-25T11:00:00+05:30',
    ]) {
      const { result, metrics, queried } = await run(now, '2026-11-01T10:00:00+05:30');
      expect(result, now).toEqual({ market: 'closed', newestTickAgeSeconds: null });
      expect(metrics, now).not.toHaveProperty(NEWEST_TICK_AGE_METRIC);
      expect(queried, now).toBe(false); // no database work while the market is closed
    }
  });

  it('flags a missing holiday list, and meanwhile treats weekday trading hours as open', async () => {
    const { result, metrics } = await run('2030-01-07T11:00:00+05:30', '2030-01-07T10:00:00+05:30');
    expect(result).toEqual({ market: 'unknown_calendar', newestTickAgeSeconds: 3600 });
    expect(metrics[CALENDAR_MISSING_METRIC]).toBe(1);
    // Two weeks before a year the list lacks, even at night.
    expect((await run('2026-12-28T22:00:00+05:30', null)).metrics[CALENDAR_MISSING_METRIC]).toBe(1);
  });
});
