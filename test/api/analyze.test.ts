import { Metrics } from '@aws-lambda-powertools/metrics';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeAnalysis } from '../../functions/analysis/stored-answer';
import { handler } from '../../functions/analyze';
import { DISCLAIMER } from '../../functions/core/analysis';
import { analyzeAs } from '../helpers/analyze';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { FIXTURE, seedPrices } from '../helpers/prices';

const db = useTestDatabase();

async function counts(sub: string) {
  const [row] = await db.current.sql<[{ analyses: number; events: number; charged: string | null }]>`
    SELECT (SELECT count(*)::int FROM analyses WHERE user_sub = ${sub}) AS analyses,
           (SELECT count(*)::int FROM usage_events WHERE user_sub = ${sub}) AS events,
           (SELECT sum(quantity * unit_price_paise)::text FROM usage_daily WHERE user_sub = ${sub}) AS charged`;
  return row;
}

const SPEC_PORTFOLIO = {
  portfolio: [
    { symbol: 'tcs', quantity: 10 },
    { symbol: 'INFY', quantity: 1 },
    { symbol: 'NOSUCH', quantity: 5 },
    { symbol: 'HDFCBANK', quantity: 1 },
  ],
};

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
});

describe('POST /api/analyze', () => {
  it('values the portfolio, advises, bills, and records it all', async () => {
    // Act
    const res = await analyzeAs('alice', SPEC_PORTFOLIO);
    // Assess
    expect(res.statusCode).toBe(200);
    const body = res.json;
    expect(Object.keys(body)).toEqual([
      'analysis_id',
      'portfolio_value',
      'prices_as_of',
      'advice',
      'details',
      'unknown_symbols',
      'billing',
      'disclaimer',
      'usage',
    ]);
    expect(body.portfolio_value).toBe(44050.75);
    expect(body.prices_as_of).toBe('2026-11-28T04:00:00.000Z');
    expect(body.advice.map((a: { symbol: string; rule: string }) => `${a.symbol}:${a.rule}`)).toEqual([
      'TCS:concentration',
      'TCS:sharp_drop',
      'INFY:underweight_momentum',
      'HDFCBANK:high_volatility',
    ]);
    expect(body.advice[0]).toMatchObject({ action: 'reduce', message: expect.stringContaining('92.85%') });
    expect(body.details.per_stock[0]).toEqual({
      symbol: 'TCS',
      name: 'Tata Consultancy Services',
      sector: 'IT',
      quantity: 10,
      price: 4090,
      stock_value: 40900,
      weight: 0.9285,
      change_1d_pct: -0.5,
      change_7d_pct: -6,
      volatility: 0.012,
      price_ts: '2026-11-28T04:00:00.000Z',
      // No history: no share of the risk (SPEC §12, test/analysis/risk.test.ts) ...
      risk_contribution_pct: null,
      // ... and the values the feed sent with the price (SPEC §11).
      measures_source: { change_1d_pct: 'feed', change_7d_pct: 'feed', volatility: 'feed' },
    });
    expect(body.details.sectors).toEqual({ IT: 0.9625, Banking: 0.0375 });
    expect(body.unknown_symbols).toEqual(['NOSUCH']);
    expect(body.billing).toEqual({
      currency: 'INR',
      charged: 13,
      breakdown: { portfolio_analysis: 5, advice_items: 4, price_per_advice: 2, advice_cost: 8 },
    });
    expect(body.usage).toEqual({ portfolios_analyzed_total: 1, advice_generated_total: 4 });
    expect(body.disclaimer).toBe(DISCLAIMER);
    expect(body.disclaimer).toMatch(/rule-based/);
    expect(body.disclaimer).toMatch(/educational/);
    expect(body.disclaimer).toMatch(/not personalised investment advice/);
    expect(body.disclaimer).toMatch(/not a SEBI-registered/);

    const events = await db.current.sql`
      SELECT feature, quantity, unit_price_paise::int AS unit, to_char(occurred_at AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM') AS period
      FROM usage_events WHERE analysis_id = ${body.analysis_id} ORDER BY feature DESC`;
    expect(events.map((e) => ({ ...e }))).toEqual([
      {
        feature: 'portfolio_analysis',
        quantity: 1,
        unit: 500,
        period: expect.stringMatching(/^\d{4}-\d{2}$/),
      },
      {
        feature: 'advice_generation',
        quantity: 4,
        unit: 200,
        period: expect.stringMatching(/^\d{4}-\d{2}$/),
      },
    ]);
    const [analysis] = await db.current.sql<[{ id: string; answer: Buffer; advice: number; value: string }]>`
      SELECT id, answer, advice_count AS advice, portfolio_value_paise::text AS value
      FROM analyses WHERE id = ${body.analysis_id}`;
    // The holdings are stored with the answer (functions/analysis/stored-answer.ts).
    expect({
      ...analysis,
      id: undefined,
      answer: undefined,
      portfolio: decodeAnalysis(analysis.answer, analysis.id).holdings,
    }).toEqual({
      portfolio: [
        { symbol: 'TCS', quantity: 10 },
        { symbol: 'INFY', quantity: 1 },
        { symbol: 'NOSUCH', quantity: 5 },
        { symbol: 'HDFCBANK', quantity: 1 },
      ],
      advice: 4,
      value: '4405075',
    });
    const { usage: _usage, ...sent } = body;
    expect(decodeAnalysis(analysis.answer, analysis.id).body).toEqual(sent);

    const second = await analyzeAs('alice', { portfolio: [{ symbol: 'INFY', quantity: 1 }] });
    // INFY alone: concentration and diversification.
    expect(second.json.advice).toHaveLength(2);
    expect(second.json.usage).toEqual({ portfolios_analyzed_total: 2, advice_generated_total: 6 });
  });

  it('values that break binary floating point come out exact', async () => {
    const res = await analyzeAs('float', {
      portfolio: [
        { symbol: 'A', quantity: 1 },
        { symbol: 'B', quantity: 1 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json.portfolio_value).toBe(0.3);
    expect(res.json.details.per_stock.map((s: { stock_value: number }) => s.stock_value)).toEqual([0.1, 0.2]);
    // One sector only: the portfolio rule fires, last.
    expect(res.json.advice.at(-1)).toMatchObject({ symbol: 'PORTFOLIO', rule: 'diversification' });
  });

  it.each([
    ['not JSON', '{"portfolio": [', 'body'],
    ['no body', '', 'body'],
    ['an empty portfolio', { portfolio: [] }, 'portfolio'],
    ['101 holdings', { portfolio: Array(101).fill({ symbol: 'TCS', quantity: 1 }) }, 'portfolio'],
    [
      'a fractional quantity',
      { portfolio: [...Array(3).fill({ symbol: 'TCS', quantity: 1 }), { symbol: 'INFY', quantity: 2.5 }] },
      'portfolio[3].quantity',
    ],
    ['a zero quantity', { portfolio: [{ symbol: 'TCS', quantity: 0 }] }, 'portfolio[0].quantity'],
    ['a quantity over 1e9', { portfolio: [{ symbol: 'TCS', quantity: 1e9 + 1 }] }, 'portfolio[0].quantity'],
    ['a bad symbol', { portfolio: [{ symbol: 'T CS', quantity: 1 }] }, 'portfolio[0].symbol'],
    ['a missing symbol', { portfolio: [{ quantity: 1 }] }, 'portfolio[0].symbol'],
  ])('400 for %s, naming the field, nothing written', async (_name, body, field) => {
    const res = await analyzeAs('validator', body);
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(res.json).toMatchObject({ status: 400, type: '/problems/validation-error' });
    expect(res.json.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await counts('validator')).toMatchObject({ analyses: 0, events: 0 });
  });

  it('400 for a malformed Idempotency-Key', async () => {
    for (const key of ['x'.repeat(256), 'tab\there', 'ключ']) {
      const res = await analyzeAs('validator', SPEC_PORTFOLIO, { 'Idempotency-Key': key });
      expect(res.statusCode, key).toBe(400);
      expect(res.json.errors).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    }
  });

  it('413 for a body over 64 KiB', async () => {
    const res = await analyzeAs('validator', {
      portfolio: [{ symbol: 'TCS', quantity: 1 }],
      pad: 'x'.repeat(70_000),
    });
    expect(res.statusCode).toBe(413);
  });

  it('422 when no symbol is known, and nothing is billed', async () => {
    const res = await analyzeAs('unlucky', {
      portfolio: [
        { symbol: 'NOPE', quantity: 1 },
        { symbol: 'NADA', quantity: 2 },
      ],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json).toMatchObject({ status: 422, detail: expect.stringContaining('NOPE, NADA') });
    expect(await counts('unlucky')).toEqual({ analyses: 0, events: 0, charged: null });
  });

  it('a sequential retry with the same key returns the first response and is not billed again', async () => {
    const first = await analyzeAs('retrier', SPEC_PORTFOLIO, { 'Idempotency-Key': 'order-1' });
    // Same holdings, written differently (case, spacing): the same request.
    const again = await analyzeAs(
      'retrier',
      { portfolio: SPEC_PORTFOLIO.portfolio.map((h) => ({ ...h, symbol: ` ${h.symbol.toLowerCase()} ` })) },
      { 'Idempotency-Key': 'order-1' },
    );
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect(await counts('retrier')).toEqual({ analyses: 1, events: 2, charged: '1300' });
    // Another key is another analysis.
    const other = await analyzeAs('retrier', SPEC_PORTFOLIO, { 'Idempotency-Key': 'order-2' });
    expect(other.json.analysis_id).not.toBe(first.json.analysis_id);
    expect(other.json.usage.portfolios_analyzed_total).toBe(2);
  });

  it('20 concurrent retries: one analysis, one charge, the same response for all', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => analyzeAs('racer', SPEC_PORTFOLIO, { 'Idempotency-Key': 'race' })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect(results.filter((r) => r.headers?.['idempotent-replayed'] === 'true')).toHaveLength(19);
    expect(await counts('racer')).toEqual({ analyses: 1, events: 2, charged: '1300' });
  });

  it('409 when a key is reused with another body', async () => {
    await analyzeAs('reuser', SPEC_PORTFOLIO, { 'Idempotency-Key': 'k' });
    const res = await analyzeAs(
      'reuser',
      { portfolio: [{ symbol: 'TCS', quantity: 11 }] },
      { 'Idempotency-Key': 'k' },
    );
    expect(res.statusCode).toBe(409);
    expect(res.json).toMatchObject({ status: 409, type: '/problems/conflict' });
    expect(await counts('reuser')).toMatchObject({ analyses: 1, events: 2 });
  });

  it('keys are per user: two users may use the same key', async () => {
    const a = await analyzeAs('key-a', SPEC_PORTFOLIO, { 'Idempotency-Key': 'shared' });
    const b = await analyzeAs('key-b', SPEC_PORTFOLIO, { 'Idempotency-Key': 'shared' });
    expect(a.json.analysis_id).not.toBe(b.json.analysis_id);
    expect(b.json.usage.portfolios_analyzed_total).toBe(1);
  });

  it('all-or-nothing: a failure after the analysis insert leaves no analysis and no usage', async () => {
    // Prepare: the ledger insert, which runs after the analysis insert, fails.
    await db.current.sql.unsafe(`
      CREATE FUNCTION fail_usage() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'injected failure'; END $$;
      CREATE TRIGGER fail_usage BEFORE INSERT ON usage_events FOR EACH ROW EXECUTE FUNCTION fail_usage();`);
    try {
      const res = await analyzeAs('doomed', SPEC_PORTFOLIO, { 'Idempotency-Key': 'once' });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/injected|usage_events|INSERT/);
      expect(await counts('doomed')).toEqual({ analyses: 0, events: 0, charged: null });
    } finally {
      await db.current.sql.unsafe('DROP TRIGGER fail_usage ON usage_events; DROP FUNCTION fail_usage();');
    }
    // The key was not consumed: the retry goes through.
    const retry = await analyzeAs('doomed', SPEC_PORTFOLIO, { 'Idempotency-Key': 'once' });
    expect(retry.statusCode).toBe(200);
    expect(await counts('doomed')).toEqual({ analyses: 1, events: 2, charged: '1300' });
  });

  it('emits EMF metrics for analyses, advice, amount, replays and rejections', async () => {
    const spy = vi.spyOn(Metrics.prototype, 'addMetric');
    try {
      await analyzeAs('metered', SPEC_PORTFOLIO, { 'Idempotency-Key': 'm' });
      await analyzeAs('metered', SPEC_PORTFOLIO, { 'Idempotency-Key': 'm' });
      await analyzeAs('metered', { portfolio: [] });
      const recorded = spy.mock.calls.map(([name, , value]) => [name, value]);
      expect(recorded).toEqual([
        ['AnalysesCompleted', 1],
        ['AdviceItems', 4],
        ['AmountChargedPaise', 1300],
        ['IdempotentReplays', 1],
        ['AnalyzeRejections', 1],
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('401 without a token', async () => {
    const res = await handler(
      apiEvent({ method: 'POST', path: '/api/analyze', body: SPEC_PORTFOLIO }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(401);
  });
});
