/** Daily bars from ticks (SPEC §11): sessions in IST, open/close by version, extremes, volume. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeBars, type Tick, tickVersion } from '../../functions/core/ticks';

const tick = (symbol: string, price: string, tsMs: number, seq: string, volume?: number): Tick => ({
  symbol,
  price,
  tsMs,
  sequenceNumber: seq,
  ...(volume === undefined ? {} : { volume }),
});

/** 2026-11-27 09:15 IST. */
const OPEN = Date.parse('2026-11-27T03:45:00Z');

describe('IST session of a tick', () => {
  it('is the calendar date in Asia/Kolkata, not in UTC', () => {
    const bars = mergeBars([
      tick('TCS', '4000.00', Date.parse('2026-11-26T18:29:59.999Z'), '1'),
      // 18:30 UTC is midnight in IST: the next day's session although UTC still says the 26th.
      tick('TCS', '4001.00', Date.parse('2026-11-26T18:30:00Z'), '2'),
      tick('TCS', '4002.00', OPEN, '3'),
    ]);
    expect(bars.map((b) => [b.session, b.open.value, b.close.value])).toEqual([
      ['2026-11-26', '4000.00', '4000.00'],
      ['2026-11-27', '4001.00', '4002.00'],
    ]);
  });
});

describe('mergeBars', () => {
  it('takes open from the earliest tick, close from the latest, extremes and the largest volume', () => {
    const bars = mergeBars([
      tick('TCS', '4010.00', OPEN + 2_000, '3', 500),
      tick('TCS', '3990.50', OPEN, '9', 100),
      tick('TCS', '4100.00', OPEN + 1_000, '5'),
      tick('TCS', '3950.00', OPEN + 1_500, '6', 300),
      // Same time: the larger sequence number is the later tick.
      tick('TCS', '3995.00', OPEN, '10'),
    ]);
    expect(bars).toEqual([
      {
        symbol: 'TCS',
        session: '2026-11-27',
        open: { value: '3990.50', version: tickVersion({ tsMs: OPEN, sequenceNumber: '9' }) },
        close: { value: '4010.00', version: tickVersion({ tsMs: OPEN + 2_000, sequenceNumber: '3' }) },
        high: '4100.00',
        low: '3950.00',
        volume: 500,
      },
    ]);
  });

  it('makes one bar per symbol and IST session; volume stays null when no tick carried it', () => {
    const nextDay = OPEN + 24 * 3600_000;
    const bars = mergeBars([
      tick('INFY', '1500.00', nextDay, '1'),
      tick('INFY', '1490.00', OPEN, '2'),
      tick('ITC', '410.00', OPEN, '3'),
    ]);
    expect(bars.map((b) => [b.symbol, b.session, b.open.value, b.close.value, b.volume])).toEqual([
      ['INFY', '2026-11-27', '1490.00', '1490.00', null],
      ['INFY', '2026-11-28', '1500.00', '1500.00', null],
      ['ITC', '2026-11-27', '410.00', '410.00', null],
    ]);
  });

  it('compares prices as amounts, not as text', () => {
    const [bar] = mergeBars([tick('X', '99.00', OPEN, '1'), tick('X', '100.00', OPEN, '2')]);
    expect([bar?.high, bar?.low]).toEqual(['100.00', '99.00']);
  });

  it('gives the same bars for any order and duplication of the same ticks (property)', () => {
    const arbTick = fc.record({
      symbol: fc.constantFrom('A', 'B'),
      price: fc
        .integer({ min: 1, max: 99_999 })
        .map((p) => `${Math.floor(p / 100)}.${String(p % 100).padStart(2, '0')}`),
      // Around midnight IST, so ticks fall in two sessions.
      tsMs: fc.integer({ min: -3, max: 3 }).map((h) => Date.parse('2026-11-26T18:30:00Z') + h * 3600_000),
      seq: fc.integer({ min: 1, max: 50 }),
      volume: fc.option(fc.nat(1_000_000), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbTick, { minLength: 1, maxLength: 15, selector: (t) => `${t.tsMs}|${t.seq}` }),
        fc.func(fc.boolean()),
        (raw, duplicate) => {
          const ticks = raw.map((t) => tick(t.symbol, t.price, t.tsMs, String(t.seq), t.volume));
          const replayed = [...ticks].reverse().flatMap((t, i) => (duplicate(i) ? [t, t] : [t]));
          expect(mergeBars(replayed)).toEqual(mergeBars(ticks));
        },
      ),
    );
  });
});

describe('mergeBars volume', () => {
  it('keeps the largest cumulative volume whichever tick brought it', () => {
    const [bar] = mergeBars([tick('X', '10.00', OPEN, '1', 100), tick('X', '10.00', OPEN + 1, '2', 500)]);
    expect(bar?.volume).toBe(500);
  });
});
