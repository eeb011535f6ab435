/**
 * The API's normal traffic through the RDS Proxy stand-in, as the application role, pins no
 * session (SPEC §7): analyze with a token and with an API key, replays, usage, billing, history,
 * keys, settings, the consumer, the billing sync against the Flexprice stand-in, the invoice
 * jobs and routes, and the reconciliation. A pinned session in AWS holds a database connection
 * until the container goes away; here it fails this test, naming the statement.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { flexpriceConfig, reconcileConfig } from '../../functions/billing/config';
import { resetApiKeyCache } from '../../functions/billing/flexprice';
import { handler as syncHandler } from '../../functions/billing-sync';
import { handler as consumer } from '../../functions/consumer';
import { handler as invoiceJobs } from '../../functions/invoices';
import { handler as reconcile } from '../../functions/reconcile';
import { type FlexpriceStandin, startFlexpriceStandin } from '../../local/flexprice-standin';
import { readRdsProxyStats } from '../../local/rds-proxy';
import { analyzeOkAt } from '../helpers/analyze';
import { useTestDatabase } from '../helpers/db';
import { kinesisEvent, lambdaContext } from '../helpers/events';
import { useLocalApi } from '../helpers/local-api';
import { FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { adminToken, token } from '../helpers/tokens';

const db = useTestDatabase();
const api = useLocalApi();
const saved = { ...process.env };
let standin: FlexpriceStandin;

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
  standin = await startFlexpriceStandin();
  Object.assign(process.env, {
    FLEXPRICE_API_URL: standin.url,
    FLEXPRICE_API_KEY: 'fp_test_key_pins_0123456789',
  });
  flexpriceConfig.reset();
  reconcileConfig.reset();
  resetApiKeyCache();
});
afterAll(async () => {
  process.env = { ...saved };
  flexpriceConfig.reset();
  reconcileConfig.reset();
  resetApiKeyCache();
  await standin?.close();
});

describe('the API behind the RDS Proxy stand-in', () => {
  it('runs its whole normal traffic as stock_app without pinning a session', async () => {
    const alice = await token('pins-alice');
    const admin = await adminToken('pins-admin');
    const ok = async (method: string, path: string, o: Parameters<typeof api.request>[2] = {}) => {
      const res = await api.request(method, path, o);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.json)}`).toBeLessThan(300);
      return res.json;
    };

    // Last month's usage, so that the invoice jobs have a month to close.
    await analyzeOkAt('2026-10-15T10:00:00+05:30', 'pins-alice', TWO_ADVICE);
    vi.useRealTimers();

    // Prices arrive through the consumer.
    const batch = await consumer(
      kinesisEvent([{ data: { symbol: 'TCS', price: 4100.5, ts: new Date().toISOString() } }]),
      lambdaContext('consumer'),
    );
    expect(batch).toEqual({ batchItemFailures: [] });

    // Analyze with a token, a replay, with an API key; reads of every kind.
    await ok('POST', '/api/analyze', {
      auth: alice,
      body: TWO_ADVICE,
      headers: { 'Idempotency-Key': 'p-1' },
    });
    await ok('POST', '/api/analyze', {
      auth: alice,
      body: TWO_ADVICE,
      headers: { 'Idempotency-Key': 'p-1' },
    });
    const key = await ok('POST', '/api/keys', { auth: alice, body: { name: 'pins bot' } });
    const viaKey = await ok('POST', '/api/analyze', { auth: key.key, body: TWO_ADVICE });
    await ok('GET', '/api/market?symbols=TCS,INFY', { auth: key.key });
    await ok('GET', '/api/usage', { auth: alice });
    await ok('GET', '/api/usage?scope=global', { auth: admin });
    await ok('GET', '/api/billing', { auth: key.key });
    await ok('GET', '/api/analyses', { auth: alice });
    await ok('GET', `/api/analyses/${viaKey.analysis_id}`, { auth: alice });
    await ok('GET', '/api/keys', { auth: alice });
    await ok('DELETE', `/api/keys/${key.id}`, { auth: alice });
    await ok('GET', '/api/settings/rules', { auth: alice });
    await ok('PUT', '/api/settings/rules', {
      auth: alice,
      body: { rules: [{ id: 'concentration', enabled: false }] },
    });
    await ok('GET', '/health');

    // The scheduled jobs: billing sync, invoices, reconciliation; then the invoice routes.
    await syncHandler({}, lambdaContext('billing-sync'));
    expect(standin.counted().length).toBeGreaterThan(0);
    await invoiceJobs({ job: 'close-month' });
    await invoiceJobs({ job: 'mark-overdue' });
    const invoices = await ok('GET', '/api/billing/invoices', { auth: alice });
    const october = invoices.invoices?.[0] ?? invoices.items?.[0] ?? invoices[0];
    expect(october?.id).toBeTruthy();
    await ok('GET', `/api/billing/invoices/${october.id}`, { auth: alice });
    await ok('POST', `/api/admin/invoices/${october.id}/payment`, {
      auth: admin,
      body: { reference: 'UTR-PINS-1', paid_at: new Date().toISOString() },
    });
    // October's two events (one analysis with advice) are in Flexprice as in the ledger.
    const reconciled = await reconcile({ date: '2026-10-15' }, lambdaContext('reconcile'));
    expect(reconciled).toEqual({
      enabled: true,
      runs: [
        {
          day: '2026-10-15',
          state: 'finished',
          status: 'matched',
          summary: expect.stringContaining('1 customers, 2 events matched, 0 resent'),
          adopted: 0,
        },
      ],
    });
    const report = await ok('GET', '/api/admin/reconciliation?date=2026-10-15', { auth: admin });
    expect(report).toMatchObject({
      date: '2026-10-15',
      state: 'finished',
      status: 'matched',
      customers_checked: 1,
      events_matched: 2,
      events_resent: 0,
      events_still_missing: 0,
      events_unknown: 0,
      quantity_mismatches: 0,
      findings: [],
      error: null,
    });

    // Assess: it all went through the stand-in as stock_app, and nothing pinned.
    const seen = await readRdsProxyStats(inject('rdsProxyStatsUrl'), { database: db.current.name });
    expect(seen.sessions).toBeGreaterThan(0);
    expect(seen.refused).toEqual([]);
    expect(seen.pinned).toEqual([]);
    expect(seen.pinnedSessions).toBe(0);
  });
});
