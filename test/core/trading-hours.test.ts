import { describe, expect, it } from 'vitest';
import {
  calendarCovers,
  type HolidayCalendar,
  marketState,
  newestTickAgeSeconds,
  staleBefore,
} from '../../functions/core/trading-hours';

// A small calendar of its own: the tests do not depend on data/nse-holidays.json's contents.
const calendar: HolidayCalendar = { years: { '2026': ['2026-11-24', '2026-12-25'] } };
const at = (iso: string) => new Date(iso);
const state = (iso: string) => marketState(at(iso), calendar);

describe('marketState: NSE 09:15–15:30 IST, Monday to Friday, except holidays', () => {
  it('opens at 09:15:00 IST exactly (03:45 UTC), not a second before', () => {
    expect(state('2026-12-01T09:14:59+05:30')).toMatchObject({ market: 'closed', reason: 'outside_hours' });
    expect(state('2026-12-01T09:15:00+05:30')).toEqual({
      market: 'open',
      session: '2026-12-01',
      sessionOpen: at('2026-12-01T03:45:00Z'),
    });
  });

  it('is open at 15:30:00 IST and closed at 15:30:01', () => {
    expect(state('2026-12-01T15:30:00+05:30').market).toBe('open');
    expect(state('2026-12-01T15:30:01+05:30')).toMatchObject({ market: 'closed', reason: 'outside_hours' });
  });

  it('is closed on Saturday and Sunday in what would be trading hours', () => {
    expect(state('2026-12-05T11:00:00+05:30')).toMatchObject({ market: 'closed', reason: 'weekend' });
    expect(state('2026-12-06T11:00:00+05:30')).toMatchObject({ market: 'closed', reason: 'weekend' });
  });

  it('is closed on a listed holiday (Christmas, a Friday) and open the Monday after', () => {
    expect(state('2026-12-25T11:00:00+05:30')).toMatchObject({
      market: 'closed',
      reason: 'holiday',
      session: '2026-12-25',
    });
    expect(state('2026-12-28T11:00:00+05:30').market).toBe('open');
  });

  it('uses the IST date, not the UTC date: 23:00 UTC on Monday is Tuesday 04:30 IST', () => {
    // 2026-11-23 is a Monday; 18:30 UTC is IST midnight, so the session date turns there.
    expect(state('2026-11-23T18:29:59Z')).toMatchObject({ session: '2026-11-23', reason: 'outside_hours' });
    expect(state('2026-11-23T18:30:00Z')).toMatchObject({ session: '2026-11-24', reason: 'outside_hours' });
    // 04:00 UTC on Tuesday 24 November is 09:30 IST on a holiday (Guru Nanak Jayanti)…
    expect(state('2026-11-24T04:00:00Z')).toMatchObject({ market: 'closed', reason: 'holiday' });
    // …and Friday 20:00 UTC is already Saturday in IST.
    expect(state('2026-11-27T20:00:00Z')).toMatchObject({ market: 'closed', reason: 'weekend' });
    // Sunday 22:00 UTC is Monday 03:30 IST: a weekday, before the open.
    expect(state('2026-11-29T22:00:00Z')).toMatchObject({ market: 'closed', reason: 'outside_hours' });
  });

  it('reports an unknown calendar for trading hours of a year the list lacks, never a guess', () => {
    expect(state('2027-01-04T10:00:00+05:30')).toEqual({
      market: 'unknown_calendar',
      session: '2027-01-04',
      sessionOpen: at('2027-01-04T03:45:00Z'),
    });
    // Weekends and nights need no list.
    expect(state('2027-01-02T10:00:00+05:30')).toMatchObject({ market: 'closed', reason: 'weekend' });
    expect(state('2027-01-04T08:00:00+05:30')).toMatchObject({ market: 'closed', reason: 'outside_hours' });
  });
});

describe('staleBefore: /health counts symbols silent for 15 trading minutes', () => {
  const FIFTEEN_MIN = 15 * 60_000;
  const cutoff = (iso: string) => staleBefore(at(iso), state(iso), FIFTEEN_MIN);

  it('is 15 minutes ago during the session', () => {
    expect(cutoff('2026-12-01T11:00:00+05:30')).toEqual(at('2026-12-01T10:45:00+05:30'));
  });

  it('counts nothing stale before the session has run 15 minutes', () => {
    expect(cutoff('2026-12-01T09:29:59+05:30')).toBeNull();
    expect(cutoff('2026-12-01T09:30:00+05:30')).toEqual(at('2026-12-01T09:15:00+05:30'));
  });

  it('counts nothing stale when the market is closed, on an unknown calendar it counts as open', () => {
    expect(cutoff('2026-12-25T11:00:00+05:30')).toBeNull();
    expect(cutoff('2026-12-01T16:00:00+05:30')).toBeNull();
    expect(cutoff('2027-01-04T11:00:00+05:30')).toEqual(at('2027-01-04T10:45:00+05:30'));
  });
});

describe('newestTickAgeSeconds: the feed-staleness alarm input', () => {
  const age = (iso: string, newest: string | null) =>
    newestTickAgeSeconds(at(iso), newest ? at(newest) : null, state(iso));

  it('is the trading time since the newest tick', () => {
    expect(age('2026-12-01T11:05:01+05:30', '2026-12-01T11:00:00+05:30')).toBe(301);
  });

  it('does not count the night: at 09:16 a tick from yesterday is 60 s old', () => {
    expect(age('2026-12-01T09:16:00+05:30', '2026-11-30T15:29:58+05:30')).toBe(60);
    expect(age('2026-12-01T09:16:00+05:30', null)).toBe(60);
  });

  it('is null (nothing emitted) at night, on weekends and on holidays, however old the tick', () => {
    expect(age('2026-12-01T15:30:01+05:30', '2026-11-01T10:00:00+05:30')).toBeNull();
    expect(age('2026-12-05T11:00:00+05:30', '2026-11-01T10:00:00+05:30')).toBeNull();
    expect(age('2026-12-25T11:00:00+05:30', '2026-11-01T10:00:00+05:30')).toBeNull();
  });

  it('is never negative when a tick is stamped slightly in the future', () => {
    expect(age('2026-12-01T11:00:00+05:30', '2026-12-01T11:01:00+05:30')).toBe(0);
  });
});

describe('calendarCovers: the holiday list must reach two weeks ahead', () => {
  it('is true inside a listed year and false from 14 days before a missing one (IST)', () => {
    expect(calendarCovers(at('2026-12-17T23:59:59+05:30'), calendar, 14)).toBe(true);
    expect(calendarCovers(at('2026-12-18T00:00:00+05:30'), calendar, 14)).toBe(false);
    expect(calendarCovers(at('2027-03-01T10:00:00+05:30'), calendar, 14)).toBe(false);
  });
});
