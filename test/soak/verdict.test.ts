/** The soak's pure decisions: windows, percentiles, and the error / leak / drift / ledger verdict. */
import { describe, expect, it } from 'vitest';
import { apiLatencies, Recorder } from '../../scripts/lib/soak/recorder';
import { formatSummary } from '../../scripts/lib/soak/report';
import { decide, describePlan, percentile, planWindows, type RunFacts } from '../../scripts/lib/soak/verdict';

const MiB = 1024 * 1024;

/** A healthy 30-minute run: 100 requests of 10–20 ms a minute, a flat heap, a consistent ledger. */
function healthy(over: Partial<RunFacts> = {}): RunFacts {
  const plan = planWindows(30);
  return {
    plan,
    latencies: Array.from({ length: plan.intervals }, () =>
      Array.from({ length: 100 }, (_, i) => 10 + (i % 11)),
    ),
    heapAfterGc: Array.from({ length: plan.intervals }, () => 50 * MiB),
    errors: 0,
    ledgerProblem: null,
    ...over,
  };
}

describe('planWindows', () => {
  it('uses minutes 2–5 as the baseline, the last 5 minutes for drift and minute 5 for the leak', () => {
    const plan = planWindows(30);
    expect(plan).toMatchObject({ intervals: 30, intervalMs: 60_000, scaled: false, leakFrom: 5 });
    expect(plan.baseline).toEqual({ from: 2, to: 5 });
    expect(plan.last).toEqual({ from: 26, to: 30 });
    expect(describePlan(plan)).not.toContain('scaled');
  });

  it('scales a run shorter than 10 minutes to 10 proportional intervals and says so', () => {
    const plan = planWindows(2);
    expect(plan).toMatchObject({ intervals: 10, intervalMs: 12_000, scaled: true });
    expect(plan.last).toEqual({ from: 6, to: 10 });
    expect(describePlan(plan)).toMatch(
      /shorter than 10 min, so the windows are scaled: 10 intervals of 12\.0 s/,
    );
  });

  it('refuses a run of no length', () => {
    expect(() => planWindows(0)).toThrow(/positive/);
    expect(() => planWindows(Number.NaN)).toThrow(/positive/);
  });
});

describe('percentile', () => {
  it('takes the nearest rank of unsorted values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 99)).toBeNull();
  });
});

describe('decide', () => {
  it('passes a healthy run', () => {
    const v = decide(healthy());
    expect(v).toMatchObject({ pass: true, reasons: [], baselineP99: 20, lastP99: 20 });
    expect(v.baselineCount).toBe(400);
  });

  it('fails on a single failed request', () => {
    const v = decide(healthy({ errors: 1 }));
    expect(v.pass).toBe(false);
    expect(v.reasons).toEqual(['1 request(s) failed']);
  });

  it('fails when the heap after GC grows more than 10 % from minute 5 to the end, not at 10 %', () => {
    const heap = (end: number) => healthy().heapAfterGc.map((h, i) => (i === 29 ? end : h));
    expect(decide(healthy({ heapAfterGc: heap(55 * MiB) })).pass).toBe(true);
    const v = decide(healthy({ heapAfterGc: heap(56 * MiB) }));
    expect(v.pass).toBe(false);
    expect(v.reasons[0]).toMatch(/^leak: heap after GC grew 12\.0 % \(from 50\.0 MiB to 56\.0 MiB\)/);
  });

  it('measures the leak from minute 5: growth during the warm-up minutes does not count', () => {
    const heap = healthy().heapAfterGc.map((h, i) => (i < 4 ? 20 * MiB : h));
    expect(decide(healthy({ heapAfterGc: heap })).pass).toBe(true);
  });

  it('fails when the heap was not measured at both ends', () => {
    const heap = healthy().heapAfterGc.map((h, i) => (i === 4 ? null : h));
    expect(decide(healthy({ heapAfterGc: heap })).reasons).toEqual([
      expect.stringMatching(/^leak: the heap after GC was not measured/),
    ]);
  });

  it('fails on drift: the last 5 minutes p99 above 1.5× that of minutes 2–5, not at 1.5×', () => {
    const slowEnd = (p99: number) =>
      healthy().latencies.map((list, i) => (i >= 25 ? list.map((ms) => (ms === 20 ? p99 : ms)) : list));
    expect(decide(healthy({ latencies: slowEnd(30) })).pass).toBe(true);
    const v = decide(healthy({ latencies: slowEnd(31) }));
    expect(v.lastP99).toBe(31);
    expect(v.reasons).toEqual([
      'drift: p99 of intervals 26–30 is 31 ms, above 1.5× the 20 ms of intervals 2–5',
    ]);
  });

  it('ignores a slow first minute (warm-up) and slow minutes between the windows', () => {
    const latencies = healthy().latencies.map((list, i) => (i === 0 || i === 10 ? [900, ...list] : list));
    expect(decide(healthy({ latencies })).pass).toBe(true);
  });

  it('fails when a window has no answered request', () => {
    const latencies = healthy().latencies.map((list, i) => (i >= 25 ? [] : list));
    expect(decide(healthy({ latencies })).reasons[0]).toMatch(/^drift: no answered requests/);
  });

  it('fails on a broken ledger, and lists every reason at once', () => {
    const v = decide(healthy({ errors: 3, ledgerProblem: '1 of 9 ledger invariants broken' }));
    expect(v.reasons).toEqual(['3 request(s) failed', 'ledger: 1 of 9 ledger invariants broken']);
  });

  it('applies custom limits', () => {
    const latencies = healthy().latencies.map((list, i) => (i >= 25 ? list.map((ms) => ms * 3) : list));
    expect(decide(healthy({ latencies })).pass).toBe(false);
    expect(decide(healthy({ latencies, limits: { maxLeak: 0.1, maxDrift: 4 } })).pass).toBe(true);
  });
});

describe('the recorder and the summary', () => {
  it('keeps API latencies per interval apart from the stream, and prints FAIL with the reasons', () => {
    const r = new Recorder();
    r.ok('POST /api/analyze', 12);
    r.ok('kinesis PutRecords (ticks)', 500);
    r.nextInterval();
    r.ok('GET /api/market', 7);
    r.fail('GET /api/usage', 'status 500');
    expect(apiLatencies(r.intervals)).toEqual([[12], [7]]);
    expect(r.errors).toBe(1);

    const plan = planWindows(30);
    const verdict = decide(healthy({ errors: r.errors }));
    const text = formatSummary(plan, verdict, {
      answered: 3,
      errors: r.errors,
      dropped: 0,
      examples: r.errorExamples,
      ledger: 'ledger consistent: 9 invariants hold',
    });
    expect(text).toContain('error: GET /api/usage: status 500');
    expect(text).toMatch(/soak: FAIL\n {2}- 1 request\(s\) failed$/);
    expect(
      formatSummary(plan, decide(healthy()), {
        answered: 3,
        errors: 0,
        dropped: 0,
        examples: [],
        ledger: '',
      }),
    ).toMatch(/soak: PASS$/);
  });
});
