import { describe, expect, it } from 'vitest';
import { adviceConfig } from '../../functions/analysis/config';
import { advise } from '../../functions/core/advice';
import {
  addDays,
  adjustBar,
  adjustedSeries,
  type CorporateAction,
  deriveMeasures,
  type FeedMeasure,
  logReturns,
  type MeasureField,
  measuresFor,
  type RawBar,
  sampleStdDev,
  showMeasures,
} from '../../functions/core/market-history';
import { ratioOf } from '../../functions/core/ratio';

/** A raw tick-built bar whose prices are all `close`. */
const bar = (session: string, close: number, over: Partial<RawBar> = {}): RawBar => ({
  session,
  open: close,
  high: close,
  low: close,
  close,
  volume: null,
  official: false,
  ...over,
});

/** Consecutive calendar days from `first` (weekends included: only sessions with data count). */
function days(first: string, closes: number[]): RawBar[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return closes.map((c, i) => bar(new Date(start + i * 86_400_000).toISOString().slice(0, 10), c));
}

const measures = (bars: RawBar[], price: number, session: string, actions: CorporateAction[] = []) =>
  deriveMeasures(adjustedSeries('X', bars, actions, { price, session }));

const thresholds = adviceConfig({});
/** The holding rules that fire for a 7-day change and volatility as shown. */
function rulesFor(change7d: number | null, volatility: number | null): string[] {
  const facts = { symbol: 'X', valuePaise: 100n, weight: ratioOf('0.10'), sector: null };
  return advise([{ ...facts, change_7d_pct: change7d, volatility }], thresholds).map((a) => a.rule);
}

describe('adjusted series', () => {
  it('ends with the current session at the latest price, even over an official bar of that session', () => {
    const series = adjustedSeries(
      'TCS',
      [bar('2026-11-25', 100, { official: true }), bar('2026-11-24', 98), bar('2026-11-26', 90)],
      [],
      { price: 101, session: '2026-11-25' },
    );
    // Sorted, the official close of the current session replaced by the price, later sessions left out.
    expect(series).toEqual({
      symbol: 'TCS',
      sessions: ['2026-11-24', '2026-11-25'],
      closes: [98, 101],
      gaps: [],
    });
  });

  it('appends the current session when it has no bar yet', () => {
    const series = adjustedSeries('TCS', [bar('2026-11-24', 98)], [], { price: 99, session: '2026-11-25' });
    expect(series.sessions).toEqual(['2026-11-24', '2026-11-25']);
    expect(series.closes).toEqual([98, 99]);
  });

  it('divides closes before an ex-date by the exact ratio; an action still ahead adjusts nothing', () => {
    const bars = [bar('2026-11-20', 1500), bar('2026-11-23', 1530), bar('2026-11-24', 1000)];
    // A 1:2 bonus (one new share for two held): factor 3/2, so 1500 → 1000 exactly.
    const bonus: CorporateAction = { exDate: '2026-11-24', factorNum: 3, factorDen: 2 };
    const ahead: CorporateAction = { exDate: '2026-12-01', factorNum: 5, factorDen: 1 };
    const series = adjustedSeries('X', bars, [bonus, ahead], { price: 1010, session: '2026-11-25' });
    expect(series.closes).toEqual([1000, 1020, 1000, 1010]);
    expect(series.gaps).toEqual([]);
  });

  it('marks a close-to-close move of more than 40 % without a known action as a gap', () => {
    const bars = [bar('2026-11-20', 100), bar('2026-11-23', 140), bar('2026-11-24', 60)];
    // +40 % exactly is not a gap; 140 → 60 (−57 %) is, at index 2; 60 → 84.01 (+40.02 %) too.
    expect(adjustedSeries('X', bars, [], { price: 84.01, session: '2026-11-25' }).gaps).toEqual([2, 3]);
  });
});

describe('derived measures (SPEC §11), against hand-computed values', () => {
  it('change_1d_pct compares the price with the close of the last session before the current one', () => {
    // Sessions with data only: Friday's close is C₁ of Monday. (301 / 300 − 1) × 100 = 0.333… → 0.33
    const m = measures([bar('2026-11-19', 250), bar('2026-11-20', 300)], 301, '2026-11-23');
    expect(m.change_1d_pct).toEqual({ value: 0.33, gap: false });
    expect(measures([], 301, '2026-11-23').change_1d_pct).toEqual({ value: null, gap: false });
  });

  it('change_7d_pct uses the last session on or before the current date − 7', () => {
    // Current session Friday 2026-11-27: date − 7 = Friday 2026-11-20.
    const week = [
      bar('2026-11-19', 200),
      bar('2026-11-20', 210),
      bar('2026-11-23', 220),
      bar('2026-11-26', 230),
    ];
    // On the date itself: C₇ = 210; (189 / 210 − 1) × 100 = −10
    expect(measures(week, 189, '2026-11-27').change_7d_pct.value).toBe(-10);
    // No session on that date: the one before it, C₇ = 200; (189 / 200 − 1) × 100 = −5.5
    const noFriday = week.filter((b) => b.session !== '2026-11-20');
    expect(measures(noFriday, 189, '2026-11-27').change_7d_pct.value).toBe(-5.5);
    // Only sessions after the date: unknown.
    const recent = week.filter((b) => b.session > '2026-11-20');
    expect(measures(recent, 189, '2026-11-27').change_7d_pct).toEqual({ value: null, gap: false });
  });

  it('volatility is the sample standard deviation of the log returns and needs at least 10 of them', () => {
    // Closes alternating 100, 110: returns ±ln 1.1, mean 0; with 10 of them the sample
    // standard deviation is ln 1.1 × √(10/9) = 0.100465… → 0.1005 (4 significant digits).
    const alternating = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 100 : 110));
    const ten = days('2026-11-01', alternating(10)); // 10 bars + the price = 11 closes, 10 returns
    expect(measures(ten, 100, '2026-11-11').volatility).toEqual({ value: 0.1005, gap: false });
    // 9 returns: unknown, and the high-volatility rule does not fire.
    const nine = days('2026-11-02', alternating(10).slice(1));
    expect(measures(nine, 100, '2026-11-11').volatility).toEqual({ value: null, gap: false });
    expect(rulesFor(null, null)).not.toContain('high_volatility');
  });

  it('volatility reads only the last 20 returns', () => {
    // 10 wild early closes (±30 %, no gap) then 21 alternating: only the last 20 returns count,
    // ln 1.1 × √(20/19) = 0.097786… → 0.09779.
    const wild = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 100 : 130));
    const calm = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 100 : 110));
    const m = measures(days('2026-10-01', [...wild, ...calm]), 100, '2026-10-31');
    expect(m.volatility).toEqual({ value: 0.09779, gap: false });
  });

  it('a 1:5 split across the 7-day window is no drop, and no sharp_drop fires', () => {
    const bars = days('2026-11-09', [1000, 1010, 1005, 990, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]);
    const split: CorporateAction = { exDate: '2026-11-18', factorNum: 10, factorDen: 2 };
    // From 2026-11-18 the price is a fifth: 200 = 1000 / 5 adjusted, so the week is flat.
    const after = bars.map((b) => (b.session >= '2026-11-18' ? bar(b.session, b.close / 5) : b));
    const m = measures(after, 198, '2026-11-21', [split]);
    // C₇ = close of 2026-11-14 = 1000 / 5 = 200; (198 / 200 − 1) × 100 = −1
    expect(m.change_7d_pct).toEqual({ value: -1, gap: false });
    expect(m.volatility.value).not.toBeNull();
    expect(rulesFor(m.change_7d_pct.value, m.volatility.value)).toEqual([]);
  });

  it('a 1:1 bonus across the 7-day window is no drop either', () => {
    const bars = days('2026-11-09', [800, 800, 800, 800, 800, 800, 800, 800, 400, 400, 400, 400]);
    const bonus: CorporateAction = { exDate: '2026-11-17', factorNum: 2, factorDen: 1 };
    const m = measures(bars, 404, '2026-11-21', [bonus]);
    // C₇ = close of 2026-11-14 = 800 / 2 = 400; (404 / 400 − 1) × 100 = 1
    expect(m.change_7d_pct).toEqual({ value: 1, gap: false });
    expect(rulesFor(m.change_7d_pct.value, m.volatility.value)).toEqual([]);
  });

  it('the same split unknown: measures spanning it are null as unadjusted_gap, and no advice', () => {
    const bars = days('2026-11-09', [1000, 1010, 1005, 990, 1000, 1000, 1000, 1000, 1000, 200, 200, 200]);
    const m = measures(bars, 198, '2026-11-21');
    expect(m.change_7d_pct).toEqual({ value: null, gap: true });
    expect(m.volatility).toEqual({ value: null, gap: true });
    // The last session-to-session move (200 → 198) does not span the gap: (198 / 200 − 1) × 100 = −1
    expect(m.change_1d_pct).toEqual({ value: -1, gap: false });
    const shown = showMeasures(feedless, m);
    expect(shown.source).toEqual({
      change_1d_pct: 'derived',
      change_7d_pct: 'unadjusted_gap',
      volatility: 'unadjusted_gap',
    });
    expect(rulesFor(shown.values.change_7d_pct, shown.values.volatility)).toEqual([]);
  });
});

const sent = (value: number | null, current: boolean): FeedMeasure => ({ value, current });
const feedless: Record<MeasureField, FeedMeasure> = {
  change_1d_pct: sent(null, false),
  change_7d_pct: sent(null, false),
  volatility: sent(null, false),
};

describe('which value is shown', () => {
  const derived = { value: 2, gap: false };
  it('feed with the current price, else derived, else nothing across a gap, else the stale feed, else null', () => {
    const shown = showMeasures(
      { change_1d_pct: sent(1.5, true), change_7d_pct: sent(-7, false), volatility: sent(0.02, false) },
      { change_1d_pct: derived, change_7d_pct: derived, volatility: { value: null, gap: true } },
    );
    expect(shown).toEqual({
      values: { change_1d_pct: 1.5, change_7d_pct: 2, volatility: null },
      source: { change_1d_pct: 'feed', change_7d_pct: 'derived', volatility: 'unadjusted_gap' },
    });
    const none = { value: null, gap: false };
    const fallback = showMeasures(
      { change_1d_pct: sent(null, true), change_7d_pct: sent(-7, false), volatility: sent(null, false) },
      { change_1d_pct: none, change_7d_pct: none, volatility: none },
    );
    expect(fallback.source).toEqual({ change_1d_pct: null, change_7d_pct: 'stale_feed', volatility: null });
    expect(fallback.values.change_7d_pct).toBe(-7);
  });

  it('with derivation switched off, only what the feed sent is shown', () => {
    const off = measuresFor({
      symbol: 'X',
      price: 100,
      session: '2026-11-27',
      feed: { ...feedless, change_7d_pct: sent(-6, false) },
      history: null,
    });
    expect(off.series).toBeNull();
    expect(off.shown.source).toEqual({ change_1d_pct: null, change_7d_pct: 'stale_feed', volatility: null });
  });
});

describe('bars served by the history API', () => {
  it('divides prices before the ex-date by the exact ratio (to paise), multiplies volume, flags adjusted', () => {
    const bonus: CorporateAction = { exDate: '2026-11-24', factorNum: 3, factorDen: 2 };
    const raw = bar('2026-11-23', 1000, { open: 999.99, high: 1001, low: 990, volume: 101, official: true });
    expect(adjustBar(raw, [bonus], '2026-11-27')).toEqual({
      session: '2026-11-23',
      open: 666.66,
      high: 667.33,
      low: 660,
      close: 666.67,
      volume: 152,
      official: true,
      adjusted: true,
    });
    // On and after the ex-date, and before an ex-date still ahead of today: as stored.
    expect(adjustBar(bar('2026-11-24', 700), [bonus], '2026-11-27').adjusted).toBe(false);
    expect(adjustBar(raw, [bonus], '2026-11-23')).toEqual({ ...raw, adjusted: false });
  });
});

describe('series and measures at their edges', () => {
  it('puts closes read in any order in session order, leaving out sessions after the current one', () => {
    const { series, shown } = measuresFor({
      symbol: 'X',
      price: 110,
      session: '2026-11-26',
      feed: feedless,
      history: {
        sessions: ['2026-11-25', '2026-11-23', '2026-11-27', '2026-11-24'],
        closes: [105, 100, 120, 102],
        actions: [],
      },
    });
    expect(series).toEqual({
      symbol: 'X',
      sessions: ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26'],
      closes: [100, 102, 105, 110],
      gaps: [],
    });
    expect(shown.values.change_1d_pct).toBe(4.76);
    expect(shown.source.change_1d_pct).toBe('derived');
  });

  it('adjusts closes before an action whose ex-date is today', () => {
    const split: CorporateAction = { exDate: '2026-11-25', factorNum: 5, factorDen: 1 };
    const series = adjustedSeries('X', days('2026-11-23', [1000, 1000]), [split], {
      price: 200,
      session: '2026-11-25',
    });
    expect(series.closes).toEqual([200, 200, 200]);
    expect(series.gaps).toEqual([]);
  });

  it('a move of exactly 40 % is no gap; more is', () => {
    const latest = (price: number) => ({ price, session: '2026-11-24' });
    expect(adjustedSeries('X', days('2026-11-23', [100]), [], latest(60)).gaps).toEqual([]);
    expect(adjustedSeries('X', days('2026-11-23', [100]), [], latest(59)).gaps).toEqual([1]);
  });

  it('change_1d_pct needs one earlier session, and only a gap between it and today nulls it', () => {
    expect(measures(days('2026-11-23', [100]), 110, '2026-11-24').change_1d_pct).toEqual({
      value: 10,
      gap: false,
    });
    // A gap one session earlier (100 → 200) is outside the 1-day window.
    expect(measures(days('2026-11-22', [100, 200]), 210, '2026-11-24').change_1d_pct).toEqual({
      value: 5,
      gap: false,
    });
    // A gap into today (100 → 200) is inside it.
    expect(measures(days('2026-11-22', [100, 100]), 200, '2026-11-24').change_1d_pct).toEqual({
      value: null,
      gap: true,
    });
  });

  it('an adjusted bar without a volume keeps none', () => {
    const split: CorporateAction = { exDate: '2026-11-24', factorNum: 2, factorDen: 1 };
    expect(adjustBar(bar('2026-11-23', 100), [split], '2026-11-27')).toMatchObject({
      close: 50,
      volume: null,
      adjusted: true,
    });
  });

  it('shifts dates by calendar days across month and year ends', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-11-28', -7)).toBe('2026-11-21');
  });

  it('sample standard deviation (n − 1) of log returns', () => {
    expect(sampleStdDev([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(sampleStdDev([10, 12])).toBeCloseTo(Math.SQRT2, 12);
    expect(logReturns([100, 110, 99])).toEqual([Math.log(1.1), Math.log(0.9)]);
  });
});
