/**
 * Hostile analyze inputs found by the chaos run (issue 8, defects 4, 5, 6, 12): each is refused
 * with a 4xx naming what is wrong, and nothing is billed; money at the largest accepted value
 * is exact in the JSON text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/analyze';
import { parseTick } from '../../functions/core/ticks';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { validateResponse } from '../helpers/openapi';
import { FIXTURE, seedPrices } from '../helpers/prices';
import { token } from '../helpers/tokens';

const db = useTestDatabase();

async function analyzeAs(sub: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await handler(
    apiEvent({ method: 'POST', path: '/api/analyze', token: await token(sub), body, headers }),
    lambdaContext(),
  );
  expect(validateResponse('POST', '/api/analyze', res)).toEqual([]);
  return { ...res, json: JSON.parse(res.body ?? 'null') };
}

async function billed(sub: string): Promise<number> {
  const [row] = await db.current.sql<[{ n: number }]>`
    SELECT (SELECT count(*)::int FROM analyses WHERE user_sub = ${sub})
         + (SELECT count(*)::int FROM usage_events WHERE user_sub = ${sub}) AS n`;
  return row?.n ?? -1;
}

beforeAll(async () => {
  await seedPrices(db.current.sql, [
    ...FIXTURE,
    { symbol: 'MARUTI', price: '12500.00', sector: 'Auto' },
    // The documented maximum tick price, and the smallest one.
    { symbol: 'BIGX', price: '10000000.00', sector: 'Test' },
    { symbol: 'PENNY', price: '0.01', sector: 'Test' },
  ]);
});

describe('quantities and portfolio value (defects 4 and 5)', () => {
  it('a symbol repeated past the quantity cap is a 400 naming the holding, not one huge holding', async () => {
    const res = await analyzeAs('repeat', {
      portfolio: Array(100).fill({ symbol: 'MARUTI', quantity: 1e9 }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json.errors).toContainEqual({
      field: 'portfolio[1].quantity',
      message: expect.stringMatching(/MARUTI.*1000000000/),
    });
    expect(await billed('repeat')).toBe(0);
  });

  it('repeats that stay within the cap are summed as before', async () => {
    const res = await analyzeAs('repeat-ok', {
      portfolio: [
        { symbol: 'penny', quantity: 5e8 },
        { symbol: 'PENNY', quantity: 5e8 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json.details.per_stock[0].quantity).toBe(1e9);
  });

  it('a portfolio worth more than a JSON number carries exactly is refused (no overflow 500)', async () => {
    const rows = ['BIGX', 'MARUTI', 'TCS', 'INFY', 'HDFCBANK', 'A', 'B', 'CALM1', 'CALM2', 'PENNY'];
    const res = await analyzeAs('huge', { portfolio: rows.map((symbol) => ({ symbol, quantity: 1e9 })) });
    expect(res.statusCode).toBe(422);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(res.json.detail).toMatch(/9999999999999\.99/);
    expect(await billed('huge')).toBe(0);
  });

  it('at the limit exactly, every money figure in the JSON text is exact', async () => {
    // 10,000,000.00 × 999,999 + 0.01 × 999,999,999 = 9,999,999,999,999.99 INR.
    const res = await analyzeAs('limit', {
      portfolio: [
        { symbol: 'BIGX', quantity: 999_999 },
        { symbol: 'PENNY', quantity: 999_999_999 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('"portfolio_value":9999999999999.99');
    expect(res.body).toContain('"stock_value":9999990000000');
    expect(res.body).toContain('"stock_value":9999999.99');
    const [row] = await db.current.sql<[{ v: string }]>`
      SELECT portfolio_value_paise::text AS v FROM analyses WHERE user_sub = 'limit'`;
    expect(row?.v).toBe('999999999999999');
    // One paisa more is refused.
    const over = await analyzeAs('limit', {
      portfolio: [
        { symbol: 'BIGX', quantity: 999_999 },
        { symbol: 'PENNY', quantity: 1e9 },
      ],
    });
    expect(over.statusCode).toBe(422);
  });
});

describe('content type (defect 6)', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['application/octet-stream', 'application/octet-stream'],
    ['no Content-Type', undefined],
  ])('415 problem+json for %s, nothing billed', async (_name, contentType) => {
    const event = apiEvent({
      method: 'POST',
      path: '/api/analyze',
      token: await token('typed'),
      body: { portfolio: [{ symbol: 'TCS', quantity: 1 }] },
    });
    if (contentType) event.headers['content-type'] = contentType;
    else delete event.headers['content-type'];
    const res = await handler(event, lambdaContext());
    expect(res.statusCode).toBe(415);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({
      status: 415,
      type: '/problems/unsupported-media-type',
    });
    expect(validateResponse('POST', '/api/analyze', res)).toEqual([]);
    expect(await billed('typed')).toBe(0);
  });

  it('JSON with a charset parameter, or a +json type, is accepted', async () => {
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json']) {
      const res = await analyzeAs(
        'typed-ok',
        { portfolio: [{ symbol: 'TCS', quantity: 1 }] },
        {
          'content-type': type,
        },
      );
      expect(res.statusCode, type).toBe(200);
    }
  });
});

describe('symbols are ASCII before they are upper-cased (defect 12)', () => {
  it.each([
    ['ınfy', 'dotless i would fold to INFY'],
    ['ß', 'sharp s would fold to SS'],
    ['ﬁ', 'a ligature would fold to FI'],
  ])('analyze refuses %s (%s) with a 400 naming the symbol', async (symbol) => {
    const res = await analyzeAs('unicode', { portfolio: [{ symbol, quantity: 1 }] });
    expect(res.statusCode).toBe(400);
    expect(res.json.errors).toEqual([
      { field: 'portfolio[0].symbol', message: expect.stringMatching(/ASCII/) },
    ]);
    expect(await billed('unicode')).toBe(0);
  });

  it.each(['ınfy', 'ß'])('a tick for %s is quarantined with the reason', (symbol) => {
    const data = Buffer.from(JSON.stringify({ symbol, price: 10 })).toString('base64');
    const result = parseTick({ data, sequenceNumber: '1', arrivalMs: Date.now() }, Date.now(), 60_000);
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^symbol: .*ASCII/) });
  });

  it('lower-case ASCII symbols are still accepted and upper-cased', async () => {
    const res = await analyzeAs('ascii', { portfolio: [{ symbol: ' infy ', quantity: 1 }] });
    expect(res.statusCode).toBe(200);
    expect(res.json.details.per_stock[0].symbol).toBe('INFY');
  });
});
