/** INR in Indian digit grouping and times in IST, as the screens print them. */
import { describe, expect, it } from 'vitest';
import {
  formatChange,
  formatDate,
  formatInr,
  formatIstDateTime,
  formatPeriod,
  formatWeight,
} from '../src/lib/format';

describe('formatting for India', () => {
  it('prints rupees with lakh and crore grouping and two decimals', () => {
    expect(formatInr(100700)).toBe('₹1,00,700.00');
    expect(formatInr(40900)).toBe('₹40,900.00');
    expect(formatInr(12345678.9)).toBe('₹1,23,45,678.90');
    expect(formatInr(13)).toBe('₹13.00');
    expect(formatInr(0)).toBe('₹0.00');
  });

  it('prints instants in IST, whatever the machine time zone', () => {
    expect(formatIstDateTime('2026-11-29T13:35:00Z')).toBe('29 Nov 2026, 7:05 pm IST');
    // 20:00 UTC on the last day of a month is already the next month in India.
    expect(formatIstDateTime('2026-11-30T20:00:00Z')).toBe('1 Dec 2026, 1:30 am IST');
  });

  it('prints calendar dates and billing periods without shifting the day', () => {
    expect(formatDate('2026-12-03')).toBe('3 Dec 2026');
    expect(formatPeriod('2026-11')).toBe('November 2026');
  });

  it('prints weights and signed changes', () => {
    expect(formatWeight(0.55512)).toBe('55.5%');
    expect(formatChange(3.1)).toBe('+3.10%');
    expect(formatChange(-5)).toBe('\u22125.00%');
    expect(formatChange(null)).toBe('—');
  });
});
