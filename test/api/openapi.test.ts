import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as analysisDelete } from '../../functions/analysis-delete';
import { handler as analysisGet } from '../../functions/analysis-get';
import { handler as analysisList } from '../../functions/analysis-list';
import { handler as analyze } from '../../functions/analyze';
import { handler as billing } from '../../functions/billing';
import { flexpriceConfig } from '../../functions/billing/config';
import { closeRun, openRun } from '../../functions/billing/reconciliation-store';
import { handler as health } from '../../functions/health';
import { handler as invoiceGet } from '../../functions/invoice-get';
import { handler as invoiceList } from '../../functions/invoice-list';
import { handler as invoicePayment } from '../../functions/invoice-payment';
import { closeMonths } from '../../functions/invoices';
import { handler as keyCreate } from '../../functions/key-create';
import { handler as keyList } from '../../functions/key-list';
import { handler as keyRevoke } from '../../functions/key-revoke';
import { handler as market } from '../../functions/market';
import { handler as marketHistory } from '../../functions/market-history';
import { handler as reconciliationGet } from '../../functions/reconciliation-get';
import { handler as reconciliationPost } from '../../functions/reconciliation-post';
import { ROUTES } from '../../functions/routes';
import { handler as rulesGet } from '../../functions/rules-get';
import { handler as rulesPut } from '../../functions/rules-put';
import { handler as usage } from '../../functions/usage';
import { startFlexpriceStandin } from '../../local/flexprice-standin';
import { at } from '../helpers/clock';
import { DATABASE_INTERNALS, useTestDatabase, withDatabaseDown } from '../helpers/db';
import { type ApiEventInput, apiEvent, lambdaContext } from '../helpers/events';
import { openapi, validateResponse } from '../helpers/openapi';
import { FIXTURE, seedPrices } from '../helpers/prices';
import { adminToken, token } from '../helpers/tokens';

const db = useTestDatabase();

const handlers = {
  health,
  market,
  'market-history': marketHistory,
  analyze,
  usage,
  billing,
  'invoice-list': invoiceList,
  'invoice-get': invoiceGet,
  'invoice-payment': invoicePayment,
  'key-create': keyCreate,
  'key-list': keyList,
  'key-revoke': keyRevoke,
  'analysis-list': analysisList,
  'analysis-get': analysisGet,
  'analysis-delete': analysisDelete,
  'rules-get': rulesGet,
  'rules-put': rulesPut,
  'reconciliation-get': reconciliationGet,
  'reconciliation-post': reconciliationPost,
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

  it('states for each route the credentials functions/routes.ts accepts', () => {
    for (const route of ROUTES) {
      const [method = '', path = ''] = route.routeKey.split(' ');
      const security = openapi.paths[path]?.[method.toLowerCase()]?.security;
      const expected = {
        public: undefined,
        jwt: [{ bearerAuth: [] }],
        'jwt-or-key': [{ bearerAuth: [] }, { apiKeyAuth: [] }],
      }[route.auth];
      if (route.auth === 'public') expect(security, route.routeKey).toEqual([]);
      else expect(security, route.routeKey).toEqual(expected);
    }
  });

  it('every route answers as documented, errors included', async () => {
    const user = await token('doc-user');
    const other = await token('doc-other');
    const admin = await adminToken('doc-admin');
    const post = (body: unknown, headers: Record<string, string> = {}, tok = user) =>
      call('analyze', { method: 'POST', path: '/api/analyze', token: tok, body, headers });

    await call('health', { path: '/health' });
    await call('health', { method: 'HEAD', path: '/health' });
    await call('market', { path: '/api/market', token: user });
    await call('market', { path: '/api/market', token: user, query: { symbols: 'TCS,INFY' } });
    await call('market', { path: '/api/market', token: user, query: { symbols: 'bad symbol!' } });
    await call('market', { path: '/api/market' });
    const history = (symbol: string, tok: string | undefined, query?: Record<string, string>) =>
      call('market-history', {
        path: `/api/market/${symbol}/history`,
        route: '/api/market/{symbol}/history',
        pathParameters: { symbol },
        token: tok,
        query,
      });
    await db.current.sql`
      INSERT INTO daily_bars (symbol, session, open, high, low, close, volume, official)
      VALUES ('TCS', '2026-11-27', 4050, 4100, 4000, 4090, 1200, true) ON CONFLICT DO NOTHING`;
    await history('TCS', user, { days: '400' });
    await history('TCS', user, { days: '0' });
    await history('NOSUCH', user);
    await history('TCS', undefined);

    await post(PORTFOLIO, { 'Idempotency-Key': 'doc-1' });
    await post(PORTFOLIO, { 'Idempotency-Key': 'doc-1' });
    // 25 sessions of bars: `details.risk` with every measure a number (SPEC §12).
    for (const [symbol, base] of [
      ['CALM1', 100],
      ['CALM2', 101],
    ] as const) {
      for (let i = 0; i < 25; i++) {
        const session = new Date(Date.UTC(2026, 9, 26) + i * 86_400_000).toISOString().slice(0, 10);
        const close = base + (i % 3) - (i % 5) * 0.5;
        await db.current.sql`
          INSERT INTO daily_bars (symbol, session, open, high, low, close, volume, official)
          VALUES (${symbol}, ${session}, ${close}, ${close}, ${close}, ${close}, 100, true)
          ON CONFLICT DO NOTHING`;
      }
    }
    const calm = await post(
      {
        portfolio: [
          { symbol: 'CALM1', quantity: 1 },
          { symbol: 'CALM2', quantity: 1 },
        ],
      },
      {},
      other,
    );
    const risk = JSON.parse(calm.body ?? '{}').details.risk;
    expect(risk).toMatchObject({ sessions: 26, annualised_volatility: expect.any(Number) });
    await post({ portfolio: [{ symbol: 'TCS', quantity: 1 }] }, { 'Idempotency-Key': 'doc-1' });
    await post({ portfolio: [{ symbol: 'TCS', quantity: 0.5 }] });
    await post({ portfolio: [{ symbol: 'NOSUCH', quantity: 1 }] });
    await post({ portfolio: PORTFOLIO.portfolio, pad: 'x'.repeat(66_000) });
    await post(PORTFOLIO, { 'content-type': 'text/plain' });
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
    // Payments come after the invoice was issued (issue time = the closing clock above).
    at(new Date(Date.now() + 33 * 86_400_000).toISOString());
    const payer = await adminToken('doc-admin');
    const later = await token('doc-user');
    await pay(later, id, { reference: 'UTR-1' });
    await pay(payer, id, { reference: 'UTR-1' });
    await pay(payer, id, { reference: 'UTR-2' });
    await pay(payer, unknown, { reference: 'UTR-1' });
    await pay(payer, id, { reference: '' });
    await pay(payer, id, { reference: 'x'.repeat(70_000) });
    await call('invoice-payment', {
      method: 'POST',
      path: `/api/admin/invoices/${id}/payment`,
      route: '/api/admin/invoices/{id}/payment',
      pathParameters: { id },
      token: payer,
      body: { reference: 'UTR-3' },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await pay(undefined, id, { reference: 'UTR-1' });

    vi.useRealTimers();

    // Accounts: keys, history, rule settings.
    const created = await call('key-create', {
      method: 'POST',
      path: '/api/keys',
      token: user,
      body: { name: 'doc' },
    });
    const apiKey = JSON.parse(created.body ?? '{}') as { id: string; key: string };
    await call('key-create', { method: 'POST', path: '/api/keys', token: user, body: { name: '' } });
    await call('key-create', { method: 'POST', path: '/api/keys', token: apiKey.key, body: { name: 'x' } });
    await call('key-create', { method: 'POST', path: '/api/keys', body: { name: 'x' } });
    await call('key-create', {
      method: 'POST',
      path: '/api/keys',
      token: user,
      body: { name: 'x'.repeat(70_000) },
    });
    for (let i = 0; i < 11; i++) {
      await call('key-create', { method: 'POST', path: '/api/keys', token: other, body: { name: `k${i}` } });
    }
    await call('key-list', { path: '/api/keys', token: user });
    await call('key-list', { path: '/api/keys', token: apiKey.key });
    await call('key-list', { path: '/api/keys' });
    const revoke = (tok: string | undefined, keyId: string) =>
      call('key-revoke', {
        method: 'DELETE',
        path: `/api/keys/${keyId}`,
        route: '/api/keys/{id}',
        pathParameters: { id: keyId },
        token: tok,
      });
    await post(PORTFOLIO, {}, apiKey.key);
    await call('analysis-list', { path: '/api/analyses', token: user, query: { limit: '1' } });
    await call('analysis-list', { path: '/api/analyses', token: apiKey.key });
    await call('analysis-list', { path: '/api/analyses', token: user, query: { limit: '0' } });
    await call('analysis-list', { path: '/api/analyses' });
    const [analysis]: [{ id: string }?] = await db.current.sql`
      SELECT id FROM analyses WHERE user_sub = 'doc-user' AND api_key_id IS NOT NULL LIMIT 1`;
    const oneAnalysis = (tok: string | undefined, analysisId: string) =>
      call('analysis-get', {
        path: `/api/analyses/${analysisId}`,
        route: '/api/analyses/{id}',
        pathParameters: { id: analysisId },
        token: tok,
      });
    await oneAnalysis(user, analysis?.id ?? '');
    await oneAnalysis(other, analysis?.id ?? '');
    await oneAnalysis(undefined, analysis?.id ?? '');
    const deleteAnalysis = (tok: string | undefined, analysisId: string) =>
      call('analysis-delete', {
        method: 'DELETE',
        path: `/api/analyses/${analysisId}`,
        route: '/api/analyses/{id}',
        pathParameters: { id: analysisId },
        token: tok,
      });
    await deleteAnalysis(undefined, analysis?.id ?? '');
    await deleteAnalysis(other, analysis?.id ?? '');
    await deleteAnalysis(user, analysis?.id ?? '');
    await call('rules-get', { path: '/api/settings/rules', token: user });
    await call('rules-get', { path: '/api/settings/rules', token: apiKey.key });
    await call('rules-get', { path: '/api/settings/rules' });
    const putRules = (tok: string | undefined, body: unknown) =>
      call('rules-put', { method: 'PUT', path: '/api/settings/rules', token: tok, body });
    await putRules(user, { rules: [{ id: 'sharp_drop', threshold: -8 }] });
    await putRules(user, { rules: [{ id: 'sharp_drop', threshold: 8 }] });
    await putRules(apiKey.key, { rules: [{ id: 'sharp_drop', threshold: -8 }] });
    await putRules(undefined, { rules: [] });
    await putRules(user, { rules: [], pad: 'x'.repeat(70_000) });
    await revoke(apiKey.key, apiKey.id);
    await revoke(user, apiKey.id);
    await revoke(other, apiKey.id);
    await revoke(undefined, apiKey.id);
    // Reconciliation reports: one stored run, then every documented outcome.
    const run = await openRun(db.current.sql, '2026-11-01', new Date(), 60_000);
    if (run) await closeRun(db.current.sql, run.id, { state: 'finished', status: 'matched' }, new Date());
    const report = (tok: string | undefined, query?: Record<string, string>) =>
      call('reconciliation-get', { path: '/api/admin/reconciliation', token: tok, query });
    await report(admin, { date: '2026-11-01' });
    await report(admin, { date: '2026-11-02' });
    await report(admin, { date: '2026-02-30' });
    await report(user, { date: '2026-11-01' });
    await report(undefined, { date: '2026-11-01' });
    // Running one (and adopting, after a restore) against the Flexprice stand-in.
    const standin = await startFlexpriceStandin();
    process.env.FLEXPRICE_API_KEY = 'fp_openapi_test_key';
    process.env.FLEXPRICE_API_URL = standin.url;
    flexpriceConfig.reset();
    try {
      const runNow = (tok: string | undefined, body: unknown, headers?: Record<string, string>) =>
        call('reconciliation-post', {
          method: 'POST',
          path: '/api/admin/reconciliation',
          token: tok,
          body,
          headers,
        });
      await runNow(admin, { date: '2026-11-03', adopt_unknown: true });
      await openRun(db.current.sql, '2026-11-04', new Date(), 60_000);
      await runNow(admin, { date: '2026-11-04' });
      await runNow(admin, { date: '2026-02-30' });
      await runNow(admin, { date: '2026-11-03', pad: 'x'.repeat(70_000) });
      await runNow(admin, JSON.stringify({ date: '2026-11-03' }), { 'content-type': 'text/plain' });
      await runNow(user, { date: '2026-11-03' });
      await runNow(undefined, { date: '2026-11-03' });
    } finally {
      delete process.env.FLEXPRICE_API_KEY;
      delete process.env.FLEXPRICE_API_URL;
      flexpriceConfig.reset();
      await standin.close();
    }

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
    it('health and the API answer 503 as documented', async () => {
      await withDatabaseDown(async () => {
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
        expect(analyzeDown.body).not.toMatch(DATABASE_INTERNALS);
        expect(validateResponse('GET', '/health', down)).toEqual([]);
        expect(validateResponse('POST', '/api/analyze', analyzeDown)).toEqual([]);
      });
    });
  });
});
