import { describe, expect, it } from 'vitest';
import { parseDay, parsePeriod, periodAt, periodOf } from '../../functions/core/periods';
import { buildBill, chargeFor, priceList } from '../../functions/core/pricing';

describe('IST billing periods', () => {
  it('23:59 IST on the last day belongs to that month, 00:00 IST to the next', () => {
    expect(periodOf(new Date('2026-11-30T23:59:59+05:30'))).toBe('2026-11');
    expect(periodOf(new Date('2026-12-01T00:00:00+05:30'))).toBe('2026-12');
    // 18:30 UTC on the 30th is already December in India.
    expect(periodOf(new Date('2026-11-30T18:30:00Z'))).toBe('2026-12');
    expect(periodOf(new Date('2026-11-30T18:29:59Z'))).toBe('2026-11');
  });

  it('a period is a half-open IST range with its due date 3 days after its last day', () => {
    expect(parsePeriod('2026-11')).toEqual({
      name: '2026-11',
      firstDay: '2026-11-01',
      lastDay: '2026-11-30',
      start: new Date('2026-10-31T18:30:00Z'),
      end: new Date('2026-11-30T18:30:00Z'),
      dueDate: '2026-12-03',
    });
    expect(parsePeriod('2028-02')?.lastDay).toBe('2028-02-29');
    expect(parsePeriod('2026-12')?.dueDate).toBe('2027-01-03');
    expect(periodAt(new Date('2026-11-28T12:00:00Z')).name).toBe('2026-11');
  });

  it('rejects what is not a month or a date', () => {
    for (const bad of ['2026-13', '2026-00', '2026-1', 'Nov 2026', '1999-12', '']) {
      expect(parsePeriod(bad), bad).toBeUndefined();
    }
    for (const bad of ['2026-02-30', '2026-11-31', '2026-11', '28/11/2026', '2026-11-28T00:00:00Z']) {
      expect(parseDay(bad), bad).toBeUndefined();
    }
    // Periods and days start in 2000.
    expect(parsePeriod('2000-01')?.firstDay).toBe('2000-01-01');
    expect(parseDay('2000-01-01')?.start).toEqual(new Date('1999-12-31T18:30:00Z'));
    expect(parseDay('1999-12-31')).toBeUndefined();
    expect(parseDay('2026-11-28')).toEqual({
      start: new Date('2026-11-27T18:30:00Z'),
      end: new Date('2026-11-28T18:30:00Z'),
    });
  });
});

describe('pricing', () => {
  const prices = priceList({ portfolioAnalysis: '5.00', adviceItem: '2.00' });

  it('charges the analysis plus each advice item (SPEC example)', () => {
    const charge = chargeFor(4, prices);
    expect(charge.block).toEqual({
      currency: 'INR',
      charged: 13,
      breakdown: { portfolio_analysis: 5, advice_items: 4, price_per_advice: 2, advice_cost: 8 },
    });
    expect(charge.charges).toEqual([
      { feature: 'portfolio_analysis', quantity: 1, unitPricePaise: 500n },
      { feature: 'advice_generation', quantity: 4, unitPricePaise: 200n },
    ]);
    expect(chargeFor(0, prices).charges).toHaveLength(1);
  });

  it('a bill has one line per feature and unit price, an exact subtotal and a status', () => {
    const period = parsePeriod('2026-11');
    if (!period) throw new Error('fixture');
    const groups = [
      { feature: 'advice_generation' as const, unitPricePaise: 250n, quantity: 3n },
      { feature: 'advice_generation' as const, unitPricePaise: 200n, quantity: 4n },
      { feature: 'portfolio_analysis' as const, unitPricePaise: 10n, quantity: 3n },
    ];
    const open = buildBill(period, groups, new Date('2026-11-28T00:00:00Z'));
    expect(open.line_items.map((l) => [l.feature, l.quantity, l.unit_price, l.amount])).toEqual([
      ['portfolio_analysis', 3, 0.1, 0.3],
      ['advice_generation', 4, 2, 8],
      ['advice_generation', 3, 2.5, 7.5],
    ]);
    expect(open).toMatchObject({ subtotal: 15.8, status: 'open', currency: 'INR', due_date: '2026-12-03' });
    expect(buildBill(period, groups, new Date('2026-11-30T18:30:00Z')).status).toBe('closed');
  });
});
