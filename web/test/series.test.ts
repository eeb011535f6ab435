import { describe, expect, it } from 'vitest';
import { summarizeSeries } from '../src/lib/series';

describe('summarizeSeries (a chart text alternative)', () => {
  it('names the first, last, lowest and highest points', () => {
    const points = [
      { date: '2026-11-02', value: 100 },
      { date: '2026-11-03', value: 80 },
      { date: '2026-11-04', value: 130 },
      { date: '2026-11-05', value: 80 },
      { date: '2026-11-06', value: 110 },
    ];
    expect(summarizeSeries(points)).toEqual({
      first: points[0],
      last: points[4],
      lowest: points[1],
      highest: points[2],
    });
  });

  it('has nothing to say about an empty series', () => {
    expect(summarizeSeries([])).toBeNull();
  });
});
