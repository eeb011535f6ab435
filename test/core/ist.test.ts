/** The IST calendar (functions/core/ist.ts): the one place the product turns instants into IST dates. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { istDate, istDayStart } from '../../functions/core/ist';

/** The tz database's answer, to check the fixed offset against. */
const kolkata = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Kolkata', dateStyle: 'short' });

describe('istDate', () => {
  it('turns the date at 18:30 UTC (IST midnight), not at UTC midnight', () => {
    expect(istDate(new Date('2026-11-30T18:29:59.999Z'))).toBe('2026-11-30');
    expect(istDate(new Date('2026-11-30T18:30:00Z'))).toBe('2026-12-01');
    // Epoch milliseconds (a tick's ts) give the same answer as a Date.
    expect(istDate(Date.parse('2026-12-31T18:30:00Z'))).toBe('2027-01-01');
  });

  it('agrees with the time-zone database for any instant from 2000 to 2100 (property)', () => {
    const instants = fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(fc.property(instants, (at) => istDate(at) === kolkata.format(at)));
  });
});

describe('istDayStart', () => {
  it('is 18:30 UTC the day before, and rolls days past the month end over', () => {
    expect(istDayStart(2026, 12, 1)).toEqual(new Date('2026-11-30T18:30:00Z'));
    expect(istDayStart(2026, 12, 32)).toEqual(new Date('2026-12-31T18:30:00Z'));
    expect(istDayStart(2028, 2, 30)).toEqual(new Date('2028-02-29T18:30:00Z'));
  });

  it('starts the day istDate names, for any day from 2000 to 2100 (property)', () => {
    const days = fc.integer({ min: 0, max: 36_524 }).map((n) => new Date(Date.UTC(2000, 0, 1 + n)));
    fc.assert(
      fc.property(days, (d) => {
        const start = istDayStart(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
        const name = d.toISOString().slice(0, 10);
        return istDate(start) === name && istDate(start.getTime() - 1) !== name;
      }),
    );
  });
});
