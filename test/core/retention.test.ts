/**
 * retentionCutoff (SPEC §9, docs/retention.md): which analyses are past retention, counted in
 * whole IST calendar days. The job itself is tested against PostgreSQL in
 * test/reliability/retention.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { retentionCutoff } from '../../functions/core/retention';

const ist = (local: string) => new Date(`${local}+05:30`);

describe('retention cutoff', () => {
  it('is the start of the same IST day the given months back, at any hour of the run', () => {
    expect(retentionCutoff(ist('2027-12-06T12:00:00'), 13)).toEqual(ist('2026-11-06T00:00:00'));
    expect(retentionCutoff(ist('2027-12-06T00:10:00'), 13)).toEqual(ist('2026-11-06T00:00:00'));
    expect(retentionCutoff(ist('2027-12-06T23:59:59'), 13)).toEqual(ist('2026-11-06T00:00:00'));
  });

  it('crosses year boundaries in whole months', () => {
    // January minus one month is December of the year before; December minus 12 is December.
    expect(retentionCutoff(ist('2027-01-15T09:00:00'), 1)).toEqual(ist('2026-12-15T00:00:00'));
    expect(retentionCutoff(ist('2027-12-15T09:00:00'), 12)).toEqual(ist('2026-12-15T00:00:00'));
    expect(retentionCutoff(ist('2027-11-15T09:00:00'), 11)).toEqual(ist('2026-12-15T00:00:00'));
    expect(retentionCutoff(ist('2027-06-01T09:00:00'), 120)).toEqual(ist('2017-06-01T00:00:00'));
  });

  it('clamps to the last day of a shorter month, and keeps the day when the month has it', () => {
    expect(retentionCutoff(ist('2027-03-31T09:00:00'), 1)).toEqual(ist('2027-02-28T00:00:00'));
    expect(retentionCutoff(ist('2028-03-31T09:00:00'), 1)).toEqual(ist('2028-02-29T00:00:00'));
    expect(retentionCutoff(ist('2027-05-31T09:00:00'), 1)).toEqual(ist('2027-04-30T00:00:00'));
    expect(retentionCutoff(ist('2027-08-31T09:00:00'), 1)).toEqual(ist('2027-07-31T00:00:00'));
    expect(retentionCutoff(ist('2027-03-28T09:00:00'), 1)).toEqual(ist('2027-02-28T00:00:00'));
  });

  it('refuses a period that is not 1-120 whole months, naming the bounds', () => {
    const now = ist('2027-12-06T12:00:00');
    for (const bad of [0, -1, 121, 1.5, Number.NaN]) {
      expect(() => retentionCutoff(now, bad), String(bad)).toThrow(
        new RangeError('retention must be 1-120 whole months'),
      );
    }
    expect(retentionCutoff(now, 1)).toEqual(ist('2027-11-06T00:00:00'));
  });
});
