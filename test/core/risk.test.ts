/**
 * SPEC §12 portfolio risk against values worked out by hand. The series are built from chosen
 * log returns (closes = 100·e^Σr), so every expected volatility, drawdown and contribution
 * below follows from a line of arithmetic in the test's comment.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeRisk, type RiskHolding, type RiskSeries, riskResponse } from '../../functions/core/risk';

const openapi = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
  components: { schemas: { Risk: { properties: Record<string, unknown> } } };
};

const DAY = 86_400_000;
const session = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * DAY).toISOString().slice(0, 10);

/** A series on sessions 0 … n, starting at `start`, moving by the given log returns. */
function fromReturns(symbol: string, returns: number[], start = 100, gaps: number[] = []): RiskSeries {
  const closes = [start];
  for (const r of returns) closes.push((closes[closes.length - 1] as number) * Math.exp(r));
  return { symbol, sessions: closes.map((_, i) => session(i)), closes, gaps };
}

/** +a, −a, +a, … : mean 0, so the sample variance of n of them is n·a² / (n − 1). */
const alternating = (n: number, a: number) => Array.from({ length: n }, (_, t) => (t % 2 === 0 ? a : -a));
/** +b, +b, −b, −b, … : uncorrelated with `alternating` over every 4 returns. */
const paired = (n: number, b: number) => Array.from({ length: n }, (_, t) => (t % 4 < 2 ? b : -b));

const holding = (symbol: string, weight: number, over: Partial<RiskHolding> = {}): RiskHolding => ({
  symbol,
  quantity: 1,
  weight,
  sector: 'Information Technology',
  ...over,
});

const seriesMap = (...all: RiskSeries[]) => new Map(all.map((s) => [s.symbol, s]));

describe('portfolio risk (SPEC §12)', () => {
  it('a single holding: its own volatility, drawdown and all of the risk', () => {
    // 20 returns of ±0.05: sample sd = 0.05·√(20/19); × √252 = 0.05 × 16.2869 = 0.81434.
    // The value falls from 100·e^0.05 to 100: 1 − e^−0.05 = 4.877 %.
    const risk = computeRisk(
      [holding('TCS', 1, { quantity: 10 })],
      seriesMap(fromReturns('TCS', alternating(20, 0.05))),
    );
    expect(risk.sessions).toBe(21);
    expect(risk.annualised_volatility).toBe(0.8143);
    expect(risk.max_drawdown_pct).toBe(4.88);
    expect(risk.effective_holdings).toBe(1);
    expect(risk.largest_sector_weight).toBe(1);
    expect(risk.contributions).toEqual(new Map([['TCS', 100]]));
    expect(risk.value_series[0]).toEqual({ session: '2026-01-01', value: 1000 });
    expect(risk.value_series[1]).toEqual({ session: '2026-01-02', value: 1051.27 });
  });

  it('two perfectly correlated holdings: risk shared exactly as the weights', () => {
    // B = 3 × A on every session, so the portfolio moves exactly like A and Σ = σ²·11ᵀ:
    // (Σw)ᵢ = σ² for both, and each share is its weight (25 %, 75 %).
    const a = fromReturns('A', alternating(30, 0.02));
    const b = fromReturns('B', alternating(30, 0.02), 300);
    const risk = computeRisk(
      [holding('A', 0.25), holding('B', 0.75, { sector: 'Banking' })],
      seriesMap(a, b),
    );
    expect(risk.sessions).toBe(31);
    // 0.02 × √(30/29 × 252) = 0.02 × 16.1459 = 0.32292
    expect(risk.annualised_volatility).toBe(0.3229);
    // 1 − e^−0.02 = 1.980 %
    expect(risk.max_drawdown_pct).toBe(1.98);
    expect(risk.contributions).toEqual(
      new Map([
        ['A', 25],
        ['B', 75],
      ]),
    );
    // 1 / (0.25² + 0.75²) = 1 / 0.625 = 1.6
    expect(risk.effective_holdings).toBe(1.6);
    expect(risk.largest_sector_weight).toBe(0.75);
  });

  it('two independent holdings: shares follow weight² × variance', () => {
    // Covariance 0; equal weights; σ_B = 2σ_A, so the shares are 1 : 4 → 20 % and 80 %.
    const a = fromReturns('A', alternating(40, 0.01));
    const b = fromReturns('B', paired(40, 0.02));
    const risk = computeRisk([holding('A', 0.5), holding('B', 0.5)], seriesMap(a, b));
    expect(risk.contributions).toEqual(
      new Map([
        ['A', 20],
        ['B', 80],
      ]),
    );
    expect(risk.effective_holdings).toBe(2);
    expect(risk.largest_sector_weight).toBe(1);
  });

  it('fewer than 20 returns: history measures null, concentration still given', () => {
    const short = computeRisk(
      [holding('A', 0.5), holding('B', 0.5, { sector: null })],
      seriesMap(fromReturns('A', alternating(19, 0.01)), fromReturns('B', alternating(19, 0.01))),
    );
    expect(short).toMatchObject({
      sessions: 20,
      annualised_volatility: null,
      max_drawdown_pct: null,
      effective_holdings: 2,
      largest_sector_weight: 0.5,
    });
    expect(short.contributions).toEqual(
      new Map([
        ['A', null],
        ['B', null],
      ]),
    );
    expect(short.value_series).toHaveLength(20);

    // One session more (20 returns) and they are there.
    const enough = computeRisk([holding('A', 1)], seriesMap(fromReturns('A', alternating(20, 0.01))));
    expect(enough.annualised_volatility).not.toBeNull();
  });

  it('a holding without any history: no common session', () => {
    const risk = computeRisk(
      [holding('A', 0.5), holding('NEW', 0.5)],
      seriesMap(fromReturns('A', alternating(30, 0.01))),
    );
    expect(risk).toMatchObject({
      sessions: 0,
      annualised_volatility: null,
      max_drawdown_pct: null,
      value_series: [],
    });
    expect(risk.contributions.get('NEW')).toBeNull();
  });

  it('sessions one holding lacks are skipped for all, and returns span them', () => {
    // A has 25 sessions with wild closes on 3 that B lacks; on the 22 common ones both follow
    // ±0.05, so the portfolio moves like one holding with 21 returns (11 up, 10 down): mean
    // a/21, Σ(r − m)² = 21a² − a²/21, sample sd = a·√(22/21); × √252 = 0.05 × √264 = 0.81240.
    const common = fromReturns('B', alternating(21, 0.05));
    const wild = [3, 9, 15];
    const a: RiskSeries = { symbol: 'A', sessions: [], closes: [], gaps: [] };
    let k = 0;
    for (let i = 0; i < 25; i++) {
      a.sessions.push(session(100 + i));
      a.closes.push(wild.includes(i) ? 1_000_000 : (common.closes[k++] as number));
    }
    const b: RiskSeries = { ...common, sessions: a.sessions.filter((_, i) => !wild.includes(i)) };
    const risk = computeRisk([holding('A', 0.5), holding('B', 0.5)], seriesMap(a, b));
    expect(risk.sessions).toBe(22);
    expect(risk.annualised_volatility).toBe(0.8124);
    expect(risk.max_drawdown_pct).toBe(4.88);
    expect(risk.value_series.map((p) => p.session)).not.toContain(session(103));
  });

  it('uses only the last 60 common sessions', () => {
    // A crash of 50 % long before the window does not count; inside, the ±0.03 pattern does.
    const returns = [...alternating(39, 0.03), Math.log(0.5), ...alternating(60, 0.03)];
    const risk = computeRisk([holding('A', 1)], seriesMap(fromReturns('A', returns)));
    expect(risk.sessions).toBe(60);
    expect(risk.value_series[0]?.session).toBe(session(41));
    expect(risk.max_drawdown_pct).toBe(2.96); // 1 − e^−0.03
  });

  it('a window spanning an unadjusted gap: history measures null', () => {
    // A 1:5 split nobody told us about: an 80 % "fall" at index 50, inside the last 60 sessions.
    const returns = [...alternating(49, 0.01), Math.log(0.2), ...alternating(30, 0.01)];
    const gapped = fromReturns('A', returns, 100, [50]);
    const risk = computeRisk(
      [holding('A', 0.6), holding('B', 0.4)],
      seriesMap(gapped, fromReturns('B', returns)),
    );
    expect(risk).toMatchObject({ sessions: 60, annualised_volatility: null, max_drawdown_pct: null });
    expect(risk.contributions).toEqual(
      new Map([
        ['A', null],
        ['B', null],
      ]),
    );
    expect(risk.effective_holdings).toBe(1.92); // 1 / (0.36 + 0.16)

    // The same gap 21 sessions before the window's start is outside it: measures given.
    const early = fromReturns(
      'A',
      [...alternating(9, 0.01), Math.log(0.2), ...alternating(80, 0.01)],
      100,
      [10],
    );
    expect(computeRisk([holding('A', 1)], seriesMap(early)).max_drawdown_pct).toBe(1);
  });

  it('a gap on a session just before the window does not count, one on its first return does', () => {
    const returns = alternating(70, 0.01);
    // Window = sessions 11 … 70. A gap at index 11 (10 → 11) lies before it; at 12, inside.
    const at = (i: number) => computeRisk([holding('A', 1)], seriesMap(fromReturns('A', returns, 100, [i])));
    expect(at(11).annualised_volatility).not.toBeNull();
    expect(at(12).annualised_volatility).toBeNull();
    expect(at(70).annualised_volatility).toBeNull();
  });

  it('a portfolio that never moves has no risk to share out', () => {
    const flat = fromReturns('A', new Array(25).fill(0));
    const risk = computeRisk([holding('A', 1)], seriesMap(flat));
    expect(risk).toMatchObject({ annualised_volatility: 0, max_drawdown_pct: 0 });
    expect(risk.contributions.get('A')).toBeNull();
  });

  it('4 equal holdings in 3 sectors', () => {
    const risk = computeRisk(
      [
        holding('A', 0.25, { sector: 'X' }),
        holding('B', 0.25, { sector: 'X' }),
        holding('C', 0.25, { sector: 'Y' }),
        holding('D', 0.25, { sector: null }),
      ],
      new Map(),
    );
    expect(risk.effective_holdings).toBe(4);
    expect(risk.largest_sector_weight).toBe(0.5);
  });
});

describe('risk in the analyze response', () => {
  it('splits into details.risk and each holding’s contribution', () => {
    const risk = computeRisk([holding('TCS', 1)], seriesMap(fromReturns('TCS', alternating(20, 0.05))));
    const { details, contributionOf } = riskResponse(risk);
    // Exactly the fields docs/openapi.json's `Risk` names.
    expect(Object.keys(details).sort()).toEqual(
      Object.keys(openapi.components.schemas.Risk.properties).sort(),
    );
    expect(contributionOf('TCS')).toBe(100);
    expect(contributionOf('INFY')).toBeNull();
  });
});

describe('portfolio risk properties', () => {
  const portfolio = fc
    .integer({ min: 1, max: 8 })
    .chain((n) =>
      fc.tuple(
        fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: n, maxLength: n }),
        fc.array(
          fc.array(fc.double({ min: -0.1, max: 0.1, noNaN: true }), { minLength: 25, maxLength: 25 }),
          {
            minLength: n,
            maxLength: n,
          },
        ),
      ),
    )
    .map(([quantities, returns]) => {
      const series = returns.map((r, j) => fromReturns(`S${j}`, r));
      const values = series.map(
        (s, j) => (quantities[j] as number) * (s.closes[s.closes.length - 1] as number),
      );
      const total = values.reduce((a, b) => a + b, 0);
      const holdings = series.map((s, j) =>
        holding(s.symbol, (values[j] as number) / total, { quantity: quantities[j] as number }),
      );
      return { holdings, series: seriesMap(...series) };
    });

  it('contributions add up to 100 (within rounding) and measures stay in range', () => {
    fc.assert(
      fc.property(portfolio, ({ holdings, series }) => {
        const risk = computeRisk(holdings, series);
        const shares = [...risk.contributions.values()];
        if (shares.every((c) => c !== null)) {
          const sum = shares.reduce((a: number, c) => a + (c as number), 0);
          expect(Math.abs(sum - 100)).toBeLessThanOrEqual(0.005 * shares.length + 1e-9);
        }
        expect(risk.effective_holdings).toBeGreaterThanOrEqual(1);
        expect(risk.effective_holdings).toBeLessThanOrEqual(holdings.length + 0.005);
        expect(risk.max_drawdown_pct).toBeGreaterThanOrEqual(0);
        expect(risk.max_drawdown_pct).toBeLessThan(100);
      }),
    );
  });

  it('the order of the holdings changes nothing', () => {
    fc.assert(
      fc.property(portfolio, ({ holdings, series }) => {
        const forward = computeRisk(holdings, series);
        const backward = computeRisk([...holdings].reverse(), series);
        expect(backward.annualised_volatility).toBeCloseTo(forward.annualised_volatility as number, 3);
        for (const h of holdings) {
          expect(backward.contributions.get(h.symbol)).toBeCloseTo(
            forward.contributions.get(h.symbol) as number,
            1,
          );
        }
      }),
    );
  });
});

describe('portfolio risk at its edges', () => {
  it('takes weights in any scale: values in rupees give the same concentration as fractions', () => {
    const returns = alternating(20, 0.01);
    const rupees = computeRisk(
      [holding('A', 3000), holding('B', 1000, { sector: 'Energy' })],
      seriesMap(fromReturns('A', returns), fromReturns('B', returns)),
    );
    // Weights 0.75 and 0.25: 1 / (0.5625 + 0.0625) = 1.6; the largest sector holds 0.75.
    expect(rupees.effective_holdings).toBe(1.6);
    expect(rupees.largest_sector_weight).toBe(0.75);
    expect(rupees.contributions).toEqual(
      new Map([
        ['A', 75],
        ['B', 25],
      ]),
    );
  });

  it('a gap after the last common session is outside the window', () => {
    // A has one more session than B, and an unadjusted gap into it: the window ends before it.
    const returns = alternating(30, 0.01);
    const a = fromReturns('A', [...returns, Math.log(0.2)], 100, [31]);
    const b = fromReturns('B', returns);
    const risk = computeRisk([holding('A', 0.5), holding('B', 0.5)], seriesMap(a, b));
    expect(risk.sessions).toBe(31);
    expect(risk.annualised_volatility).not.toBeNull();
    expect(risk.max_drawdown_pct).toBe(1); // 1 − e^−0.01, rounded
  });
});
