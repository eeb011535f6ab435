import { describe, expect, it } from 'vitest';
import { adviceConfig } from '../../functions/analysis/config';
import {
  advise,
  compareRatio,
  type HoldingFacts,
  RULES,
  ratioOf,
  ratioToNumber,
} from '../../functions/core/advice';

const thresholds = adviceConfig({});

/** A holding worth `weight` of the portfolio (as exact decimal text), no other inputs. */
function holding(symbol: string, over: Partial<HoldingFacts> & { weight?: HoldingFacts['weight'] } = {}) {
  return {
    symbol,
    valuePaise: 100n,
    weight: ratioOf('0.10'),
    sector: null,
    change_7d_pct: null,
    volatility: null,
    ...over,
  } satisfies HoldingFacts;
}

const rulesOf = (items: ReturnType<typeof advise>) => items.map((i) => `${i.symbol}:${i.rule}`);

describe('advice rule set v1', () => {
  it('lists each rule once with id, action, description and threshold', () => {
    expect(RULES.map((r) => [r.id, r.action])).toEqual([
      ['concentration', 'reduce'],
      ['sharp_drop', 'reduce'],
      ['strong_growth', 'hold_or_buy'],
      ['high_volatility', 'caution'],
      ['underweight_momentum', 'buy'],
      ['diversification', 'diversify'],
    ]);
    for (const rule of RULES) {
      expect(rule.description).toMatch(/\.$/);
      expect(rule.threshold(thresholds)).not.toBe('');
    }
  });

  it('concentration: weight exactly 0.50 does not fire, just above does', () => {
    // Prepare: 1/2 exactly, and 50000001/100000000
    const at = holding('TCS', { weight: { num: 1n, den: 2n } });
    const past = holding('TCS', { weight: { num: 50_000_001n, den: 100_000_000n } });
    // Act / Assess
    expect(rulesOf(advise([at], thresholds))).not.toContain('TCS:concentration');
    const fired = advise([past], thresholds).find((i) => i.rule === 'concentration');
    expect(fired).toMatchObject({ symbol: 'TCS', action: 'reduce' });
    expect(fired?.message).toContain('50%');
  });

  it('sharp_drop fires at exactly -5 and below, not at -4.99', () => {
    const run = (c: number) => rulesOf(advise([holding('X', { change_7d_pct: c })], thresholds));
    expect(run(-5)).toContain('X:sharp_drop');
    expect(run(-5.01)).toContain('X:sharp_drop');
    expect(run(-4.99)).not.toContain('X:sharp_drop');
  });

  it('strong_growth fires at exactly 5 and above, not at 4.99', () => {
    const run = (c: number) => rulesOf(advise([holding('X', { change_7d_pct: c })], thresholds));
    expect(run(5)).toContain('X:strong_growth');
    expect(run(5.01)).toContain('X:strong_growth');
    expect(run(4.99)).not.toContain('X:strong_growth');
  });

  it('high_volatility fires above 0.04 only', () => {
    const run = (v: number) => rulesOf(advise([holding('X', { volatility: v })], thresholds));
    expect(run(0.04)).not.toContain('X:high_volatility');
    expect(run(0.0401)).toContain('X:high_volatility');
    const [item] = advise([holding('X', { volatility: 0.045 })], thresholds);
    expect(item?.message).toContain('4.5%');
  });

  it('underweight_momentum needs weight < 0.05 and change > 2, both strictly', () => {
    const run = (w: string, c: number) =>
      rulesOf(advise([holding('X', { weight: ratioOf(w), change_7d_pct: c })], thresholds));
    expect(run('0.0499', 2.01)).toContain('X:underweight_momentum');
    expect(run('0.05', 2.01)).not.toContain('X:underweight_momentum');
    expect(run('0.0499', 2)).not.toContain('X:underweight_momentum');
  });

  it('a missing input means the rule does not fire', () => {
    const items = advise([holding('X', { weight: ratioOf('0.01') })], thresholds);
    // No 7-day change, no volatility, no sector: no rule has its input.
    expect(items).toEqual([]);
  });

  it('diversification: fewer than 2 known sectors fires once, for PORTFOLIO, last', () => {
    const items = advise(
      [holding('A', { sector: 'IT', change_7d_pct: -6 }), holding('B', { sector: 'IT', volatility: 0.05 })],
      thresholds,
    );
    expect(rulesOf(items)).toEqual(['A:sharp_drop', 'B:high_volatility', 'PORTFOLIO:diversification']);
    expect(items.at(-1)).toMatchObject({ action: 'diversify' });
    expect(items.at(-1)?.message).toContain('1 sector (IT)');
  });

  it('diversification does not fire with 2 sectors, nor when a sector is unknown', () => {
    const two = [holding('A', { sector: 'IT' }), holding('B', { sector: 'Banking' })];
    const unknown = [holding('A', { sector: 'IT' }), holding('B', { sector: null })];
    expect(advise(two, thresholds)).toEqual([]);
    expect(advise(unknown, thresholds)).toEqual([]);
  });

  it('orders items: holdings in request order, rules in table order', () => {
    const items = advise(
      [
        holding('Z', { weight: ratioOf('0.9'), change_7d_pct: 6, volatility: 0.05, sector: 'IT' }),
        holding('A', { weight: ratioOf('0.01'), change_7d_pct: -7, sector: 'IT' }),
      ],
      thresholds,
    );
    expect(rulesOf(items)).toEqual([
      'Z:concentration',
      'Z:strong_growth',
      'Z:high_volatility',
      'A:sharp_drop',
      'PORTFOLIO:diversification',
    ]);
  });

  it('a portfolio that triggers no rule gets no advice', () => {
    const items = advise(
      [
        holding('A', { weight: ratioOf('0.5'), sector: 'IT', change_7d_pct: 1, volatility: 0.01 }),
        holding('B', { weight: ratioOf('0.5'), sector: 'Banking', change_7d_pct: -1, volatility: 0.02 }),
      ],
      thresholds,
    );
    expect(items).toEqual([]);
  });

  it('messages are one sentence naming the numbers', () => {
    const items = advise(
      [holding('TCS', { weight: ratioOf('0.625'), change_7d_pct: -6.25, sector: 'IT' })],
      thresholds,
    );
    for (const item of items) {
      expect(item.message).toMatch(/\.$/);
      expect(item.message.split(/\.\s+[A-Z]/)).toHaveLength(1);
    }
    expect(items[0]?.message).toBe(
      'TCS is 62.5% of your portfolio, above the 50% concentration limit; consider reducing it.',
    );
    expect(items[1]?.message).toContain('-6.25%');
  });

  it('thresholds are configuration', () => {
    adviceConfig.reset();
    const strict = adviceConfig({ ADVICE_SHARP_DROP_PCT: '-2', ADVICE_CONCENTRATION_WEIGHT: '0.3' });
    adviceConfig.reset();
    expect(strict).toMatchObject({ sharpDropPct: -2, concentrationWeight: '0.3', strongGrowthPct: 5 });
    expect(rulesOf(advise([holding('X', { change_7d_pct: -3 })], strict))).toContain('X:sharp_drop');
  });
});

describe('exact ratios', () => {
  it('compares and rounds without floating point', () => {
    expect(compareRatio(ratioOf('0.50'), { num: 1n, den: 2n })).toBe(0);
    expect(compareRatio({ num: 1n, den: 3n }, ratioOf('0.3333'))).toBe(1);
    expect(ratioToNumber({ num: 2n, den: 3n }, 4)).toBe(0.6667);
    expect(ratioToNumber({ num: 1n, den: 8n }, 2)).toBe(0.13);
  });
});
