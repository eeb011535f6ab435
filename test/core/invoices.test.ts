import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildInvoice,
  invoiceJson,
  invoiceNumber,
  invoiceSummaryJson,
  lateFee,
  lateFeeLine,
  overdueIfDueBefore,
  periodOfFirstDay,
} from '../../functions/core/invoices';
import { parsePeriod } from '../../functions/core/periods';

const october = parsePeriod('2026-10');
if (!october) throw new Error('fixture');

describe('lateFee: 2.5 % of the usage subtotal, half up to whole paise', () => {
  it.each([
    [0n, 0n],
    [19n, 0n], // 0.475 paise → 0
    [20n, 1n], // exactly 0.5 paise → 1 (half up)
    [21n, 1n], // 0.525 → 1
    [59n, 1n], // 1.475 → 1
    [60n, 2n], // 1.5 → 2
    [900n, 23n], // 9.00 INR → 22.5 paise → 23
    [1_000n, 25n],
    [12_345n, 309n], // 308.625 → 309
  ])('%s paise → %s paise', (subtotal, fee) => {
    expect(lateFee(subtotal)).toBe(fee);
  });

  it('is exact for huge subtotals (no floating point)', () => {
    const huge = 123_456_789_012_345_678_901n; // paise
    expect(lateFee(huge)).toBe(3_086_419_725_308_641_973n); // …972.525 → …973
  });

  it('matches round-half-up of subtotal × 0.025 for any subtotal', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 24n }), (s) => {
        const fee = lateFee(s);
        // fee is the nearest integer to s/40, ties upward: |40·fee − s| ≤ 20, and = 20 only when rounding up.
        const diff = 40n * fee - s;
        return diff > -20n && diff <= 20n;
      }),
    );
  });

  it('refuses a negative subtotal', () => {
    expect(() => lateFee(-1n)).toThrow(RangeError);
  });
});

describe('invoiceNumber', () => {
  it('is SC-<YYYY>-<MM>-<counter, 6 digits or more>', () => {
    expect(invoiceNumber(october, 1)).toBe('SC-2026-10-000001');
    expect(invoiceNumber(october, 123)).toBe('SC-2026-10-000123');
    expect(invoiceNumber(october, 1_234_567)).toBe('SC-2026-10-1234567');
    expect(() => invoiceNumber(october, 0)).toThrow(RangeError);
  });
});

describe('buildInvoice', () => {
  it('one usage line per feature and snapshotted price, in bill order; due on period end + 3', () => {
    const invoice = buildInvoice(october, [
      { feature: 'advice_generation', unitPricePaise: 200n, quantity: 4n },
      { feature: 'portfolio_analysis', unitPricePaise: 750n, quantity: 1n },
      { feature: 'portfolio_analysis', unitPricePaise: 500n, quantity: 3n },
    ]);
    expect(invoice.dueDate).toBe('2026-11-03');
    expect(invoice.lines.map((l) => [l.feature, l.quantity, l.unitPricePaise, l.amountPaise])).toEqual([
      ['portfolio_analysis', 3n, 500n, 1_500n],
      ['portfolio_analysis', 1n, 750n, 750n],
      ['advice_generation', 4n, 200n, 800n],
    ]);
    expect(invoice.lines.every((l) => l.kind === 'usage')).toBe(true);
    expect(invoice.subtotalPaise).toBe(3_050n);
  });

  it('shows amounts as rupees with at most two decimals', () => {
    const built = buildInvoice(october, [
      { feature: 'portfolio_analysis', unitPricePaise: 5n, quantity: 3n },
    ]);
    const json = invoiceJson({
      id: '00000000-0000-4000-8000-000000000000',
      number: 'SC-2026-10-000001',
      period: october,
      status: 'issued',
      subtotalPaise: built.subtotalPaise,
      lateFeePaise: 0n,
      totalPaise: built.subtotalPaise,
      issuedAt: new Date('2026-11-01T00:30:00+05:30'),
      dueDate: built.dueDate,
      overdueAt: null,
      paidAt: null,
      paymentReference: null,
      lines: built.lines,
    });
    expect(json).toMatchObject({ subtotal: 0.15, total: 0.15, late_fee: 0, period_start: '2026-10-01' });
    expect(json.lines).toEqual([
      {
        kind: 'usage',
        feature: 'portfolio_analysis',
        description: 'Portfolio analyses',
        quantity: 3,
        unit_price: 0.05,
        amount: 0.15,
      },
    ]);
  });
});

describe('the overdue rule (IST calendar), as the mark-overdue job applies it', () => {
  const isOverdue = (dueDate: string, now: string) => dueDate < overdueIfDueBefore(new Date(now));

  it('payable through the whole due date; overdue from 00:00 IST the day after', () => {
    expect(isOverdue('2026-11-03', '2026-11-03T23:59:59.999+05:30')).toBe(false);
    expect(isOverdue('2026-11-03', '2026-11-04T00:00:00+05:30')).toBe(true);
    // 18:30 UTC is already the next day in India.
    expect(overdueIfDueBefore(new Date('2026-11-03T18:29:59Z'))).toBe('2026-11-03');
    expect(overdueIfDueBefore(new Date('2026-11-03T18:30:00Z'))).toBe('2026-11-04');
  });

  it('rolls over month and year ends', () => {
    expect(isOverdue('2026-12-31', '2026-12-31T23:59:59+05:30')).toBe(false);
    expect(isOverdue('2026-12-31', '2027-01-01T00:00:00+05:30')).toBe(true);
    expect(isOverdue('2027-02-28', '2027-03-01T00:00:00+05:30')).toBe(true);
  });
});

describe('invoice details a reader sees', () => {
  it('the late-fee line is one unit of the fee', () => {
    expect(lateFeeLine(900n)).toEqual({
      kind: 'late_fee',
      feature: 'late_fee',
      quantity: 1n,
      unitPricePaise: 23n,
      amountPaise: 23n,
    });
  });

  it('a period is read back from its first day, and garbage is refused', () => {
    expect(periodOfFirstDay('2026-10-01')).toEqual(october);
    expect(() => periodOfFirstDay('1999-12-01')).toThrow(new RangeError('Not a period start: 1999-12-01'));
    expect(() => periodOfFirstDay('garbage')).toThrow(RangeError);
  });

  it('orders lines of one feature by unit price, drops empty groups, leaves the groups as given', () => {
    const groups = [
      { feature: 'portfolio_analysis' as const, unitPricePaise: 750n, quantity: 1n },
      { feature: 'portfolio_analysis' as const, unitPricePaise: 200n, quantity: 2n },
      { feature: 'advice_generation' as const, unitPricePaise: 100n, quantity: 0n },
      { feature: 'portfolio_analysis' as const, unitPricePaise: 500n, quantity: 3n },
    ];
    const given = [...groups];
    const invoice = buildInvoice(october, groups);
    expect(invoice.lines.map((l) => l.unitPricePaise)).toEqual([200n, 500n, 750n]);
    expect(invoice.subtotalPaise).toBe(400n + 1_500n + 750n);
    expect(groups).toEqual(given);
  });

  it('names the counter and the subtotal it refuses', () => {
    expect(() => invoiceNumber(october, 0)).toThrow(new RangeError('Invoice counter must be ≥ 1: 0'));
    expect(() => lateFee(-1n)).toThrow(new RangeError('A subtotal cannot be negative'));
  });

  it('shows when an invoice became overdue and when it was paid', () => {
    const summary = invoiceSummaryJson({
      id: '00000000-0000-4000-8000-000000000000',
      number: 'SC-2026-10-000001',
      period: october,
      status: 'paid',
      subtotalPaise: 900n,
      lateFeePaise: 23n,
      totalPaise: 923n,
      issuedAt: new Date('2026-11-01T00:30:00+05:30'),
      dueDate: '2026-11-03',
      overdueAt: new Date('2026-11-04T00:30:00+05:30'),
      paidAt: new Date('2026-11-05T10:00:00+05:30'),
      paymentReference: 'UTR1',
    });
    expect(summary).toMatchObject({
      overdue_at: '2026-11-03T19:00:00.000Z',
      paid_at: '2026-11-05T04:30:00.000Z',
      late_fee: 0.23,
      total: 9.23,
      payment_reference: 'UTR1',
    });
  });
});
