import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { priceListConfig } from '../../functions/analysis/config';
import { handler as billing } from '../../functions/billing';
import { handler as usage } from '../../functions/usage';
import { analyzeOk as analyzeAs } from '../helpers/analyze';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { withEnv } from '../helpers/env';
import { apiEvent, lambdaContext } from '../helpers/events';
import { CALM, FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { adminToken, token } from '../helpers/tokens';

const db = useTestDatabase();

async function call(
  fn: typeof usage,
  sub: string,
  query: Record<string, string> = {},
  opts: { admin?: boolean; path?: string } = {},
) {
  const tok = opts.admin ? await adminToken(sub) : await token(sub);
  const res = await fn(apiEvent({ path: opts.path ?? '/api/usage', token: tok, query }), lambdaContext());
  return { status: res.statusCode, json: JSON.parse(res.body ?? 'null') };
}

const bill = (sub: string, query: Record<string, string> = {}) =>
  call(billing, sub, query, { path: '/api/billing' });

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
  // October: one analysis at 23:59 IST on the 31st (still October), then November.
  at('2026-10-31T23:59:00+05:30');
  await analyzeAs('alice', TWO_ADVICE);
  at('2026-11-01T00:00:00+05:30');
  await analyzeAs('alice', CALM);
  at('2026-11-20T10:00:00+05:30');
  await analyzeAs('alice', CALM);
  await analyzeAs('bob', TWO_ADVICE);
  vi.useRealTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('GET /api/usage', () => {
  it('shows the caller all-time and current-period totals, and nobody else’s', async () => {
    at('2026-11-28T12:00:00+05:30');
    const alice = await call(usage, 'alice');
    const bob = await call(usage, 'bob');
    expect(alice).toEqual({
      status: 200,
      json: {
        scope: 'user',
        portfolios_analyzed_total: 3,
        advice_generated_total: 2,
        current_period: { period: '2026-11', portfolios_analyzed_total: 2, advice_generated_total: 0 },
        window: null,
      },
    });
    expect(bob.json).toMatchObject({
      portfolios_analyzed_total: 1,
      advice_generated_total: 2,
      current_period: { portfolios_analyzed_total: 1, advice_generated_total: 2 },
    });
    expect((await call(usage, 'newcomer')).json).toMatchObject({
      portfolios_analyzed_total: 0,
      advice_generated_total: 0,
    });
  });

  it('narrows to a window of whole IST days with from/to', async () => {
    at('2026-11-28T12:00:00+05:30');
    const lastOctDay = await call(usage, 'alice', { from: '2026-10-31', to: '2026-10-31' });
    expect(lastOctDay.json.window).toEqual({
      from: '2026-10-31',
      to: '2026-10-31',
      portfolios_analyzed_total: 1,
      advice_generated_total: 2,
    });
    expect((await call(usage, 'alice', { from: '2026-11-01' })).json.window).toMatchObject({
      from: '2026-11-01',
      to: null,
      portfolios_analyzed_total: 2,
    });
    expect((await call(usage, 'alice', { to: '2026-11-01' })).json.window.portfolios_analyzed_total).toBe(2);
  });

  it.each([
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-02-30' }, 'to'],
    [{ from: '2026-11-02', to: '2026-11-01' }, 'from'],
    [{ scope: 'everyone' }, 'scope'],
  ])('400 for %o', async (query, field) => {
    const res = await call(usage, 'alice', query);
    expect(res.status).toBe(400);
    expect(res.json.errors[0].field).toBe(field);
  });

  it('scope=global sums all users for admins, 403 for anyone else', async () => {
    at('2026-11-28T12:00:00+05:30');
    const global = await call(usage, 'root', { scope: 'global' }, { admin: true });
    expect(global.json).toMatchObject({
      scope: 'global',
      portfolios_analyzed_total: 4,
      advice_generated_total: 4,
      current_period: { portfolios_analyzed_total: 3, advice_generated_total: 2 },
    });
    const windowed = await call(usage, 'root', { scope: 'global', to: '2026-10-31' }, { admin: true });
    expect(windowed.json.window.portfolios_analyzed_total).toBe(1);
    const denied = await call(usage, 'alice', { scope: 'global' });
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ status: 403, type: '/problems/forbidden' });
  });

  it('the day counters agree with the ledger, row for row', async () => {
    const rows = await db.current.sql`
      SELECT * FROM usage_daily d
      FULL JOIN (SELECT user_sub, (occurred_at AT TIME ZONE 'Asia/Kolkata')::date AS day, feature,
                        unit_price_paise, sum(quantity) AS q
                 FROM usage_events GROUP BY 1, 2, 3, 4) l USING (user_sub, day, feature, unit_price_paise)
      WHERE d.quantity IS DISTINCT FROM l.q`;
    expect(rows).toEqual([]);
  });
});

describe('GET /api/billing', () => {
  it('bills the current IST month by default, open, due 3 days after its end', async () => {
    at('2026-11-28T12:00:00+05:30');
    const res = await bill('alice');
    expect(res).toEqual({
      status: 200,
      json: {
        period: '2026-11',
        period_start: '2026-11-01',
        period_end: '2026-11-30',
        status: 'open',
        due_date: '2026-12-03',
        currency: 'INR',
        line_items: [
          {
            feature: 'portfolio_analysis',
            description: 'Portfolio analyses',
            quantity: 2,
            unit_price: 5,
            amount: 10,
          },
        ],
        subtotal: 10,
      },
    });
  });

  it('an analysis at 23:59 IST on the last day is billed in that month, which is closed now', async () => {
    at('2026-11-28T12:00:00+05:30');
    const october = await bill('alice', { period: '2026-10' });
    expect(october.json).toMatchObject({
      period: '2026-10',
      status: 'closed',
      due_date: '2026-11-03',
      line_items: [
        { feature: 'portfolio_analysis', quantity: 1, unit_price: 5, amount: 5 },
        { feature: 'advice_generation', quantity: 2, unit_price: 2, amount: 4 },
      ],
      subtotal: 9,
    });
    expect((await bill('bob', { period: '2026-10' })).json.line_items).toEqual([]);
  });

  it('a price change shows as a second line and never alters a past bill', async () => {
    // Its own user, removed afterwards: the other tests here read totals over all users.
    try {
      at('2026-10-31T23:59:00+05:30');
      await analyzeAs('pia', TWO_ADVICE);
      at('2026-11-20T10:00:00+05:30');
      await analyzeAs('pia', CALM);
      await analyzeAs('pia', CALM);
      at('2026-11-28T12:00:00+05:30');
      const octoberBefore = await bill('pia', { period: '2026-10' });
      await withEnv(
        { PRICE_PORTFOLIO_ANALYSIS_INR: '7.50', PRICE_ADVICE_ITEM_INR: '2.25' },
        [priceListConfig],
        () => analyzeAs('pia', TWO_ADVICE),
      );
      const november = await bill('pia');
      expect(
        november.json.line_items.map((l: Record<string, unknown>) => [
          l.feature,
          l.quantity,
          l.unit_price,
          l.amount,
        ]),
      ).toEqual([
        ['portfolio_analysis', 2, 5, 10],
        ['portfolio_analysis', 1, 7.5, 7.5],
        ['advice_generation', 2, 2.25, 4.5],
      ]);
      expect(november.json.subtotal).toBe(22);
      expect(octoberBefore.json.subtotal).toBe(9);
      expect((await bill('pia', { period: '2026-10' })).json).toEqual(octoberBefore.json);
    } finally {
      const sql = db.current.sql;
      await sql`DELETE FROM billing_outbox o USING analyses a WHERE a.id = o.analysis_id AND a.user_sub = 'pia'`;
      await sql`DELETE FROM usage_events WHERE user_sub = 'pia'`;
      await sql`DELETE FROM analyses WHERE user_sub = 'pia'`;
      await sql`DELETE FROM usage_daily WHERE user_sub = 'pia'`;
    }
  });

  it.each([['2026-13'], ['2026-1'], ['november'], ['1999-12']])('400 for period=%s', async (period) => {
    const res = await bill('alice', { period });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ field: 'period', message: expect.any(String) }]);
  });

  it('404 for a period that has not started', async () => {
    at('2026-11-28T12:00:00+05:30');
    expect((await bill('alice', { period: '2026-12' })).status).toBe(404);
  });
});

describe('authentication', () => {
  it.each([
    ['usage', usage, '/api/usage'],
    ['billing', billing, '/api/billing'],
  ])('401 for %s without a token', async (_name, fn, path) => {
    const res = await fn(apiEvent({ path }), lambdaContext());
    expect(res.statusCode).toBe(401);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
  });
});
