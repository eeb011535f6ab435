import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as analyze } from '../../functions/analyze';
import { handler as billing } from '../../functions/billing';
import { handler as health } from '../../functions/health';
import { handler as invoiceGet } from '../../functions/invoice-get';
import { handler as invoiceList } from '../../functions/invoice-list';
import { handler as invoicePayment } from '../../functions/invoice-payment';
import { closeMonths } from '../../functions/invoices';
import { handler as market } from '../../functions/market';
import { dbConfig } from '../../functions/platform/config';
import { closeDb } from '../../functions/platform/db';
import { ROUTES } from '../../functions/routes';
import { handler as usage } from '../../functions/usage';
import { useTestDatabase } from '../helpers/db';
import { type ApiEventInput, apiEvent, lambdaContext } from '../helpers/events';
import { openapi, validateResponse } from '../helpers/openapi';
import { FIXTURE, seedPrices } from '../helpers/prices';
import { adminToken, token } from '../helpers/tokens';

const db = useTestDatabase();

const handlers = {
  health,
  market,
  analyze,
  usage,
  billing,
  'invoice-list': invoiceList,
  'invoice-get': invoiceGet,
  'invoice-payment': invoicePayment,
} as const;
type Entry = keyof typeof handlers;

/** Every response seen, checked against the document at the end. */
const seen: Array<{ method: string; path: string; res: APIGatewayProxyStructuredResultV2 }> = [];

async function call(entry: Entry, input: ApiEventInput & { route?: string }) {
  const res = await handlers[entry](apiEvent(input), lambdaContext());
  // `route`: the documented path template when the path has parameters.
  seen.push({ method: input.method ?? 'GET', path: input.route ?? input.path, res });
  return res;
}

const PORTFOLIO = {
  portfolio: [
    { symbol: 'TCS', quantity: 10 },
    { symbol: 'NOSUCH', quantity: 1 },
  ],
};

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
});

describe('docs/openapi.json', () => {
  it('documents exactly the routes of functions/routes.ts', () => {
    const documented = Object.entries(openapi.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((r) => r.routeKey).sort());
  });

  it('every route answers as documented, errors included', async () => {
    const user = await token('doc-user');
    const other = await token('doc-other');
    const admin = await adminToken('doc-admin');
    const post = (body: unknown, headers: Record<string, string> = {}, tok = user) =>
      call('analyze', { method: 'POST', path: '/api/analyze', token: tok, body, headers });

    await call('health', { path: '/health' });
    await call('market', { path: '/api/market', token: user });
    await call('market', { path: '/api/market', token: user, query: { symbols: 'TCS,INFY' } });
    await call('market', { path: '/api/market', token: user, query: { symbols: 'bad symbol!' } });
    await call('market', { path: '/api/market' });

    await post(PORTFOLIO, { 'Idempotency-Key': 'doc-1' });
    await post(PORTFOLIO, { 'Idempotency-Key': 'doc-1' });
    await post(
      {
        portfolio: [
          { symbol: 'CALM1', quantity: 1 },
          { symbol: 'CALM2', quantity: 1 },
        ],
      },
      {},
      other,
    );
    await post({ portfolio: [{ symbol: 'TCS', quantity: 1 }] }, { 'Idempotency-Key': 'doc-1' });
    await post({ portfolio: [{ symbol: 'TCS', quantity: 0.5 }] });
    await post({ portfolio: [{ symbol: 'NOSUCH', quantity: 1 }] });
    await post({ portfolio: PORTFOLIO.portfolio, pad: 'x'.repeat(66_000) });
    await call('analyze', { method: 'POST', path: '/api/analyze', body: PORTFOLIO });

    await call('usage', { path: '/api/usage', token: user });
    await call('usage', { path: '/api/usage', token: user, query: { from: '2026-01-01', to: '2099-12-31' } });
    await call('usage', { path: '/api/usage', token: admin, query: { scope: 'global' } });
    await call('usage', { path: '/api/usage', token: user, query: { scope: 'global' } });
    await call('usage', { path: '/api/usage', token: user, query: { from: 'soon' } });
    await call('usage', { path: '/api/usage' });

    await call('billing', { path: '/api/billing', token: user });
    await call('billing', { path: '/api/billing', token: user, query: { period: '2026-01' } });
    await call('billing', { path: '/api/billing', token: user, query: { period: '2026-1' } });
    await call('billing', { path: '/api/billing', token: user, query: { period: '2999-01' } });
    await call('billing', { path: '/api/billing' });

    // Invoices: close every month up to now (next month's clock), then read and pay one.
    await closeMonths({ sql: db.current.sql, now: new Date(Date.now() + 32 * 86_400_000) });
    const [invoice]: [{ id: string }?] = await db.current.sql`
      SELECT id FROM invoices WHERE user_sub = 'doc-user' LIMIT 1`;
    const id = invoice?.id ?? '';
    const unknown = '00000000-0000-4000-8000-000000000000';
    const one = (tok: string | undefined, invoiceId: string) =>
      call('invoice-get', {
        path: `/api/billing/invoices/${invoiceId}`,
        route: '/api/billing/invoices/{id}',
        pathParameters: { id: invoiceId },
        token: tok,
      });
    const pay = (tok: string | undefined, invoiceId: string, body: unknown) =>
      call('invoice-payment', {
        method: 'POST',
        path: `/api/admin/invoices/${invoiceId}/payment`,
        route: '/api/admin/invoices/{id}/payment',
        pathParameters: { id: invoiceId },
        token: tok,
        body,
      });
    await call('invoice-list', { path: '/api/billing/invoices', token: user });
    await call('invoice-list', { path: '/api/billing/invoices', token: user, query: { status: 'issued' } });
    await call('invoice-list', { path: '/api/billing/invoices', token: user, query: { status: 'late' } });
    await call('invoice-list', { path: '/api/billing/invoices' });
    await one(user, id);
    await one(other, id);
    await one(user, 'not-a-uuid');
    await one(undefined, id);
    await pay(user, id, { reference: 'UTR-1' });
    await pay(admin, id, { reference: 'UTR-1' });
    await pay(admin, id, { reference: 'UTR-2' });
    await pay(admin, unknown, { reference: 'UTR-1' });
    await pay(admin, id, { reference: '' });
    await pay(undefined, id, { reference: 'UTR-1' });

    const problems = seen.flatMap(({ method, path, res }) => validateResponse(method, path, res));
    expect(problems).toEqual([]);

    // Every documented status was produced at least once (500/503 are covered below or by design).
    const produced = new Set(seen.map(({ method, path, res }) => `${method} ${path} ${res.statusCode}`));
    const documented = Object.entries(openapi.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        Object.keys(op.responses as object).map((status) => `${method.toUpperCase()} ${path} ${status}`),
      ),
    );
    const missing = documented.filter((d) => !produced.has(d) && !/ 50[03]$/.test(d));
    expect(missing).toEqual([]);
  });

  describe('with the database down', () => {
    const saved = process.env.DATABASE_URL;
    afterAll(async () => {
      await closeDb();
      process.env.DATABASE_URL = saved;
      dbConfig.reset();
    });

    it('health and the API answer 503 as documented', async () => {
      await closeDb();
      process.env.DATABASE_URL = 'postgres://nobody:nothing@127.0.0.1:1/none';
      dbConfig.reset();
      const down = await call('health', { path: '/health' });
      expect(down.statusCode).toBe(503);
      expect(down.headers?.['retry-after']).toBeDefined();
      const analyzeDown = await call('analyze', {
        method: 'POST',
        path: '/api/analyze',
        token: await token('doc-user'),
        body: PORTFOLIO,
      });
      expect(analyzeDown.statusCode).toBe(503);
      expect(analyzeDown.body).not.toMatch(/127\.0\.0\.1|nobody|ECONNREFUSED/);
      expect(validateResponse('GET', '/health', down)).toEqual([]);
      expect(validateResponse('POST', '/api/analyze', analyzeDown)).toEqual([]);
    });
  });
});
