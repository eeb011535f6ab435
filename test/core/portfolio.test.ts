import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adviceConfig } from '../../functions/analysis/config';
import { analyze, measuredQuote, PortfolioValueOutOfRange } from '../../functions/core/analysis';
import { parsePortfolio, type Quote, requestHash, valuePortfolio } from '../../functions/core/portfolio';
import { priceList } from '../../functions/core/pricing';

const quote = (symbol: string, price: string, over: Partial<Quote> = {}): Quote => ({
  symbol,
  price,
  name: null,
  sector: null,
  change_1d_pct: null,
  change_7d_pct: null,
  volatility: null,
  ts: new Date('2026-11-28T04:00:00Z'),
  ...over,
});

const fieldsOf = (body: unknown) => {
  const parsed = parsePortfolio(body);
  return parsed.ok ? [] : parsed.errors.map((e) => e.field);
};

describe('portfolio validation', () => {
  it('normalizes symbols and sums repeated ones at their first position', () => {
    const parsed = parsePortfolio({
      portfolio: [
        { symbol: ' tcs ', quantity: 2 },
        { symbol: 'M&M', quantity: 1 },
        { symbol: 'TCS', quantity: 3 },
      ],
    });
    expect(parsed).toEqual({
      ok: true,
      holdings: [
        { symbol: 'TCS', quantity: 5 },
        { symbol: 'M&M', quantity: 1 },
      ],
    });
  });

  it('names the failing field of each problem', () => {
    const ok = { symbol: 'TCS', quantity: 1 };
    expect(fieldsOf({})).toEqual(['portfolio']);
    expect(fieldsOf({ portfolio: [] })).toEqual(['portfolio']);
    expect(fieldsOf({ portfolio: Array(101).fill(ok) })).toEqual(['portfolio']);
    expect(fieldsOf({ portfolio: [ok, ok, ok, { symbol: 'TCS', quantity: 1.5 }] })).toEqual([
      'portfolio[3].quantity',
    ]);
    expect(fieldsOf({ portfolio: [{ symbol: 'TCS', quantity: 0 }] })).toEqual(['portfolio[0].quantity']);
    expect(fieldsOf({ portfolio: [{ symbol: 'TCS', quantity: 1_000_000_001 }] })).toEqual([
      'portfolio[0].quantity',
    ]);
    expect(fieldsOf({ portfolio: [{ symbol: 'TCS', quantity: '1' }] })).toEqual(['portfolio[0].quantity']);
    expect(fieldsOf({ portfolio: [{ symbol: 'bad symbol!', quantity: 1 }] })).toEqual([
      'portfolio[0].symbol',
    ]);
    expect(fieldsOf({ portfolio: [{ quantity: 1 }] })).toEqual(['portfolio[0].symbol']);
    expect(fieldsOf([ok])).toEqual(['body']);
    expect(fieldsOf({ portfolio: Array(100).fill(ok) })).toEqual([]);
  });

  it('fingerprints the normalized request, order included', () => {
    const a = parsePortfolio({
      portfolio: [
        { symbol: 'tcs', quantity: 1 },
        { symbol: 'INFY', quantity: 2 },
      ],
    });
    const b = parsePortfolio({
      portfolio: [
        { symbol: 'TCS', quantity: 1 },
        { symbol: 'INFY', quantity: 2 },
      ],
    });
    const c = parsePortfolio({
      portfolio: [
        { symbol: 'INFY', quantity: 2 },
        { symbol: 'TCS', quantity: 1 },
      ],
    });
    if (!a.ok || !b.ok || !c.ok) throw new Error('fixture');
    expect(requestHash(a.holdings)).toBe(requestHash(b.holdings));
    expect(requestHash(a.holdings)).not.toBe(requestHash(c.holdings));
  });
});

describe('valuation with exact money', () => {
  it('prices 0.1 and 0.2 add up to exactly 0.3 per unit', () => {
    const v = valuePortfolio(
      [
        { symbol: 'A', quantity: 1 },
        { symbol: 'B', quantity: 1 },
        { symbol: 'NOPE', quantity: 1 },
      ],
      [quote('A', '0.10'), quote('B', '0.20')],
    );
    expect(v.totalPaise).toBe(30n);
    expect(v.unknownSymbols).toEqual(['NOPE']);
  });

  it('the analyze body shows money with at most 2 decimals and exact totals', () => {
    const result = analyze({
      id: 'x',
      holdings: [
        { symbol: 'A', quantity: 3 },
        { symbol: 'B', quantity: 7 },
      ],
      quotes: [quote('A', '0.10', { sector: 'IT' }), quote('B', '0.20', { sector: 'IT' })],
      thresholds: adviceConfig({}),
      prices: priceList({ portfolioAnalysis: '5.00', adviceItem: '2.00' }),
    });
    expect(result?.body.portfolio_value).toBe(1.7);
    expect(result?.body.details.per_stock.map((s) => s.stock_value)).toEqual([0.3, 1.4]);
    expect(result?.body.details.per_stock.map((s) => s.weight)).toEqual([0.1765, 0.8235]);
    expect(result?.body.details.sectors).toEqual({ IT: 1 });
  });

  it('any quantities and prices: total = sum of exact parts (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 1, max: 1_000_000_000 }), fc.integer({ min: 1, max: 1_000_000_000 })),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        (rows) => {
          const holdings = rows.map(([q], i) => ({ symbol: `S${i}`, quantity: q }));
          const quotes = rows.map(([, paise], i) => quote(`S${i}`, (paise / 100).toFixed(2)));
          const v = valuePortfolio(holdings, quotes);
          const expected = rows.reduce((acc, [q, p]) => acc + BigInt(q) * BigInt(p), 0n);
          expect(v.totalPaise).toBe(expected);
        },
      ),
    );
  });

  it('nothing known means nothing to analyze', () => {
    const none = analyze({
      id: 'x',
      holdings: [{ symbol: 'NOPE', quantity: 1 }],
      quotes: [],
      thresholds: adviceConfig({}),
      prices: priceList({ portfolioAnalysis: '5.00', adviceItem: '2.00' }),
    });
    expect(none).toBeNull();
  });

  it('values a portfolio up to 9,999,999,999,999.99 INR exactly and refuses one paisa more', () => {
    const prices = priceList({ portfolioAnalysis: '5.00', adviceItem: '2.00' });
    const at = (quotes: Quote[]) =>
      analyze({
        id: 'x',
        holdings: quotes.map((q) => ({ symbol: q.symbol, quantity: 1 })),
        quotes,
        thresholds: adviceConfig({}),
        prices,
      });
    const top = at([quote('BIG', '9999999999999.99')]);
    expect(JSON.stringify(top?.body.portfolio_value)).toBe('9999999999999.99');
    expect(() => at([quote('BIG', '9999999999999.99'), quote('ONE', '0.01')])).toThrow(
      PortfolioValueOutOfRange,
    );
    expect(() => at([quote('BIG', '9999999999999.99'), quote('ONE', '0.01')])).toThrow(
      /worth 10000000000000\.00 INR .* the most this service values exactly is 9999999999999\.99 INR/,
    );
  });

  it('runs only the rules it is given: with every rule switched off there is no advice and only the analysis is charged', () => {
    const input = {
      id: 'x',
      holdings: [{ symbol: 'A', quantity: 1 }],
      quotes: [quote('A', '100.00', { sector: 'IT', change_7d_pct: -9, volatility: 0.09 })],
      thresholds: adviceConfig({}),
      prices: priceList({ portfolioAnalysis: '5.00', adviceItem: '2.00' }),
    };
    expect(analyze(input)?.body.advice.length).toBeGreaterThan(0);
    const none = analyze({ ...input, rules: [] });
    expect(none?.body.advice).toEqual([]);
    expect(none?.body.billing.charged).toBe(5);
  });
});

describe('a symbol given on several rows', () => {
  it('holds the summed quantity to the cap and names the row that pushes it over', () => {
    const rows = (...quantities: number[]) => ({
      portfolio: quantities.map((quantity) => ({ symbol: 'TCS', quantity })),
    });
    expect(parsePortfolio(rows(600_000_000, 400_000_000))).toEqual({
      ok: true,
      holdings: [{ symbol: 'TCS', quantity: 1_000_000_000 }],
    });
    expect(parsePortfolio(rows(600_000_000, 300_000_000, 100_000_001))).toEqual({
      ok: false,
      errors: [
        {
          field: 'portfolio[2].quantity',
          message: 'summed with the earlier rows of TCS, must be at most 1000000000',
        },
      ],
    });
    // A large row after a small one is judged on the sum, not on the difference.
    expect(parsePortfolio(rows(1, 1_000_000_000)).ok).toBe(false);
  });
});

describe('prices as of', () => {
  it('is the oldest price time among the holdings valued, whatever their order', () => {
    const older = new Date('2026-11-27T10:00:00Z');
    const newer = new Date('2026-11-28T10:00:00Z');
    const quotes = [quote('TCS', '1', { ts: newer }), quote('INFY', '1', { ts: older })];
    const holdings = (...symbols: string[]) => symbols.map((symbol) => ({ symbol, quantity: 1 }));
    expect(valuePortfolio(holdings('TCS', 'INFY'), quotes).pricesAsOf).toEqual(older);
    expect(valuePortfolio(holdings('INFY', 'TCS'), quotes).pricesAsOf).toEqual(older);
    expect(valuePortfolio(holdings('INFY', 'TCS', 'NOPE'), quotes).pricesAsOf).toEqual(older);
    expect(valuePortfolio(holdings('TCS'), quotes).pricesAsOf).toEqual(newer);
    expect(valuePortfolio(holdings('NOPE'), quotes).pricesAsOf).toBeNull();
  });
});

describe('the measures a quote is analysed with (SPEC §11)', () => {
  it('shows the feed where current, else the derived value, and says where each came from', () => {
    const { quote: shown, series } = measuredQuote({
      ...quote('TCS', '110.00', { change_1d_pct: 1.5, change_7d_pct: -3, volatility: 0.2 }),
      session: '2026-11-28',
      feedCurrent: { change_1d_pct: false, change_7d_pct: true, volatility: false },
      history: { sessions: ['2026-11-27'], closes: [100], actions: [] },
    });
    // With the 1-day change current in the feed, the feed's value wins over the derived one.
    expect(
      measuredQuote({
        ...quote('TCS', '110.00', { change_1d_pct: 1.5 }),
        session: '2026-11-28',
        feedCurrent: { change_1d_pct: true, change_7d_pct: false, volatility: false },
        history: { sessions: ['2026-11-27'], closes: [100], actions: [] },
      }).quote,
    ).toMatchObject({
      change_1d_pct: 1.5,
      measures_source: { change_1d_pct: 'feed', change_7d_pct: null, volatility: null },
    });
    expect(shown).toEqual({
      ...quote('TCS', '110.00'),
      change_1d_pct: 10,
      change_7d_pct: -3,
      volatility: 0.2,
      measures_source: { change_1d_pct: 'derived', change_7d_pct: 'feed', volatility: 'stale_feed' },
    });
    expect(series?.closes).toEqual([100, 110]);

    // The analyze body carries the source of each holding's measures.
    const result = analyze({
      id: 'x',
      holdings: [{ symbol: 'TCS', quantity: 1 }],
      quotes: [shown],
      thresholds: adviceConfig({}),
      prices: priceList({ portfolioAnalysis: '5.00', adviceItem: '2.00' }),
    });
    expect(result?.body.details.per_stock[0]).toMatchObject({
      change_1d_pct: 10,
      measures_source: { change_1d_pct: 'derived', change_7d_pct: 'feed', volatility: 'stale_feed' },
    });
  });
});

describe('portfolio risk in the analysis (SPEC §12)', () => {
  /** 21 sessions moving ±5 % in log terms: annualised volatility 0.05·√(20/19)·√252 = 0.8143. */
  const tcsSeries = () => {
    const closes = [100];
    for (let t = 0; t < 20; t++) closes.push((closes[t] as number) * Math.exp(t % 2 === 0 ? 0.05 : -0.05));
    const sessions = closes.map((_, i) =>
      new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
    );
    return { symbol: 'TCS', sessions, closes, gaps: [] };
  };
  const run = (series?: ReturnType<typeof tcsSeries>) =>
    analyze({
      id: 'x',
      holdings: [{ symbol: 'TCS', quantity: 10 }],
      quotes: [quote('TCS', '100.00', { sector: 'IT' })],
      thresholds: adviceConfig({}),
      prices: priceList({ portfolioAnalysis: '5.00', adviceItem: '2.00' }),
      ...(series ? { series: new Map([['TCS', series]]) } : {}),
    });

  it("adds details.risk and each holding's share of it when the series are given", () => {
    const body = run(tcsSeries())?.body;
    expect(body?.details.risk).toMatchObject({
      sessions: 21,
      annualised_volatility: 0.8143,
      effective_holdings: 1,
      largest_sector_weight: 1,
    });
    expect(body?.details.per_stock[0]?.risk_contribution_pct).toBe(100);
    // Risk switched off: neither appears.
    const off = run()?.body;
    expect(off?.details).not.toHaveProperty('risk');
    expect(off?.details.per_stock[0]).not.toHaveProperty('risk_contribution_pct');
  });

  it('with derivation off, shows only what the feed sent but still makes the series for risk', () => {
    const q = {
      ...quote('TCS', '110.00', { change_1d_pct: 1.5 }),
      session: '2026-11-28',
      feedCurrent: { change_1d_pct: false, change_7d_pct: false, volatility: false },
      history: { sessions: ['2026-11-27'], closes: [100], actions: [] },
    };
    const off = measuredQuote(q, false);
    expect(off.quote).toMatchObject({
      change_1d_pct: 1.5,
      measures_source: { change_1d_pct: 'stale_feed', change_7d_pct: null, volatility: null },
    });
    expect(off.series).toEqual({
      symbol: 'TCS',
      sessions: ['2026-11-27', '2026-11-28'],
      closes: [100, 110],
      gaps: [],
    });
    expect(measuredQuote({ ...q, history: null }, false).series).toBeNull();
  });
});
