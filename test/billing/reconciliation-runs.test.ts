/**
 * The reconciliation's edges: a time budget that pauses a big day and the scheduled follow-up
 * that resumes it (thousands of events in the stand-in), the Lambda entry, the admin route and
 * `npm run reconcile`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { flexpriceConfig, type ReconcileConfig, reconcileConfig } from '../../functions/billing/config';
import { flexpriceProvider } from '../../functions/billing/flexprice';
import { reconcileDay } from '../../functions/billing/reconciliation';
import { flexpriceReader } from '../../functions/billing/reconciliation-provider';
import { syncOnce } from '../../functions/billing/sync';
import { handler as reconcile } from '../../functions/reconcile';
import { handler as report } from '../../functions/reconciliation-get';
import { type FlexpriceStandin, startFlexpriceStandin } from '../../local/flexprice-standin';
import { EVENTS_QUERY_PATH, EVENTS_USAGE_PATH } from '../../local/flexprice-standin-reads';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { adminToken, token } from '../helpers/tokens';
import { seedCharges } from './ledger-fixture';

const db = useTestDatabase();
const KEY = 'fp_test_key_reconcile_runs_0123';
const ROOT = join(import.meta.dirname, '../..');
let standin: FlexpriceStandin;
const quiet = { debug() {}, info() {}, warn() {} };
const ist = (local: string) => new Date(`${local}+05:30`);

const ENV = {
  FLEXPRICE_API_KEY: KEY,
  RECONCILE_SETTLE_MS: '0',
  RECONCILE_ATTEMPTS: '2',
  RECONCILE_BACKOFF_BASE_MS: '1',
  RECONCILE_BACKOFF_MAX_MS: '5',
};

function configure(env: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  flexpriceConfig.reset();
  reconcileConfig.reset();
}

async function sync() {
  const config = { ...(flexpriceConfig() as Extract<ReturnType<typeof flexpriceConfig>, { enabled: true }>) };
  config.batchSize = 1000;
  return syncOnce({
    sql: db.current.sql,
    client: flexpriceProvider(config, KEY),
    config,
    logger: quiet,
    metrics: { addMetric: () => {} },
  });
}

beforeAll(async () => {
  standin = await startFlexpriceStandin();
  configure({ ...ENV, FLEXPRICE_API_URL: standin.url });
});

afterAll(async () => {
  configure(Object.fromEntries([...Object.keys(ENV), 'FLEXPRICE_API_URL'].map((k) => [k, undefined])));
  await standin.close();
});

beforeEach(async () => {
  await db.current.sql`UPDATE billing_outbox SET status = 'sent', sent_at = now() WHERE status <> 'sent'`;
  standin.reset();
});

describe('a day too big for one invocation', () => {
  it('pauses when its time is up and the follow-up resumes where it stopped: 250 customers, 2,000 events', async () => {
    // Prepare: 250 customers (known to Flexprice) with four charges each (2,000 events); one is lost.
    const charges = Array.from({ length: 1_000 }, (_, i) => ({
      sub: `bulk-${String(i % 250).padStart(4, '0')}`,
      at: new Date(ist('2026-11-12T09:00:00').getTime() + i * 1_000),
      advice: 1,
    }));
    await seedCharges(db.current.sql, charges);
    await db.current.sql`
      INSERT INTO billing_customers (user_sub, synced_at)
      SELECT DISTINCT user_sub, now() FROM usage_events WHERE user_sub LIKE 'bulk-%' ON CONFLICT DO NOTHING`;
    standin.loseNext(1);
    expect(await sync()).toMatchObject({ pending: 0, dead: 0 });
    expect(standin.stored).toHaveLength(1_999);
    const config: ReconcileConfig = { ...reconcileConfig(), customersPerStep: 50 };

    // Act 1: an invocation whose budget lasts two steps of 50 customers.
    let steps = 0;
    const paused = await reconcileDay('2026-11-12', {
      sql: db.current.sql,
      reader: flexpriceReader({ ...config, apiUrl: standin.url, apiKey: KEY, timeoutMs: 2_000 }),
      config,
      logger: quiet,
      outOfTime: () => steps++ >= 4,
    });
    expect(paused).toMatchObject({
      state: 'paused',
      status: null,
      customersChecked: 200,
      cursor: 'bulk-0199',
    });

    // Act 2: the scheduled follow-up picks the paused day up and finishes it.
    const out = await reconcile({ job: 'follow-up' }, lambdaContext());

    // Assess: every customer checked exactly once across the two invocations.
    // (Other tests' resent days may be rechecked by the same follow-up: this file runs in any order.)
    expect(out).toMatchObject({ enabled: true });
    expect((out as { runs: unknown[] }).runs).toContainEqual(
      expect.objectContaining({ day: '2026-11-12', state: 'finished', status: 'resent' }),
    );
    const res = await report(
      apiEvent({
        path: '/api/admin/reconciliation',
        token: await adminToken('ops'),
        query: { date: '2026-11-12' },
      }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({
      state: 'finished',
      status: 'resent',
      invocations: 2,
      customers_checked: 250,
      events_matched: 1_999,
      events_resent: 1,
      events_unknown: 0,
      findings: [{ kind: 'resent', customer: expect.stringMatching(/^bulk-/) }],
    });
    const usage = standin.requests.filter((r) => r.path === EVENTS_USAGE_PATH);
    const asked = usage.map((r) => {
      const b = r.body as { external_customer_id: string; event_name: string };
      return `${b.external_customer_id}/${b.event_name}`;
    });
    expect(asked).toHaveLength(500);
    expect(new Set(asked).size).toBe(500);
    expect(standin.requests.filter((r) => r.path === EVENTS_QUERY_PATH)).toHaveLength(1);
  }, 120_000);
});

describe('the Lambda entry', () => {
  it('reconciles the day it is given, and a follow-up rechecks a resent day once its resend is synced', async () => {
    await seedCharges(db.current.sql, [{ sub: 'ida', at: ist('2026-11-13T10:00:00'), advice: 0 }]);
    standin.loseNext(1);
    await sync();

    const first = await reconcile({ date: '2026-11-13' }, lambdaContext());
    expect(first).toMatchObject({ runs: [{ day: '2026-11-13', status: 'resent' }] });
    await sync();
    // Follow-ups look back RECONCILE_FOLLOW_UP_DAYS from today: reach back to this test's day only.
    const back = Math.ceil((Date.now() - Date.parse('2026-11-13T00:00:00Z')) / 86_400_000);
    configure({ RECONCILE_RECHECK_AFTER_MS: '1', RECONCILE_FOLLOW_UP_DAYS: String(back) });
    await new Promise((r) => setTimeout(r, 5));
    const followUp = (await reconcile({ job: 'follow-up' }, lambdaContext())) as {
      runs: { day: string; status: string }[];
    };

    expect(followUp.runs).toContainEqual(expect.objectContaining({ day: '2026-11-13', status: 'matched' }));
    configure({ RECONCILE_RECHECK_AFTER_MS: undefined, RECONCILE_FOLLOW_UP_DAYS: undefined });
  });

  it('emits the metrics the alarms watch: 1 for a run that ends in drift, 1 for a run that fails', async () => {
    await seedCharges(db.current.sql, [{ sub: 'lea', at: ist('2026-11-16T10:00:00'), advice: 0 }]);
    await sync();
    standin.stored.push({
      event_id: 'stranger:portfolio_analysis',
      event_name: 'portfolio_analysis',
      external_customer_id: 'lea',
      properties: { quantity: '1' },
      timestamp: ist('2026-11-16T11:00:00').toISOString(),
    });
    await seedCharges(db.current.sql, [{ sub: 'max', at: ist('2026-11-17T10:00:00'), advice: 0 }]);
    await sync();
    const added = vi.spyOn(Metrics.prototype, 'addMetric');
    try {
      await reconcile({ date: '2026-11-16' }, lambdaContext());
      standin.failNext({ status: 500 }, 2, EVENTS_USAGE_PATH);
      await reconcile({ date: '2026-11-17' }, lambdaContext());

      const calls = added.mock.calls.map(([name, , value]) => [name, value]);
      expect(calls).toContainEqual(['ReconciliationDrift', 1]);
      expect(calls).toContainEqual(['ReconciliationEventsUnknown', 1]);
      expect(calls).toContainEqual(['ReconciliationFailed', 1]);
    } finally {
      added.mockRestore();
    }
  });

  it('refuses a bad date, and is off without a Flexprice key', async () => {
    await expect(reconcile({ date: '2026-02-30' }, lambdaContext())).rejects.toThrow('Not a calendar date');
    configure({ FLEXPRICE_API_KEY: undefined });
    try {
      expect(await reconcile({ date: '2026-11-13' }, lambdaContext())).toEqual({ enabled: false });
      expect(standin.requests).toHaveLength(0);
    } finally {
      configure({ FLEXPRICE_API_KEY: KEY });
    }
  });
});

describe('GET /api/admin/reconciliation', () => {
  const get = async (tok: string | undefined, date?: string) =>
    report(
      apiEvent({ path: '/api/admin/reconciliation', token: tok, query: date ? { date } : undefined }),
      lambdaContext(),
    );

  it('is for administrators only: 403 for anyone else, even for a day that ran', async () => {
    await seedCharges(db.current.sql, [{ sub: 'jon', at: ist('2026-11-14T10:00:00'), advice: 0 }]);
    await sync();
    await reconcile({ date: '2026-11-14' }, lambdaContext());

    const denied = await get(await token('jon'), '2026-11-14');
    const shown = await get(await adminToken('ops'), '2026-11-14');

    expect(denied.statusCode).toBe(403);
    expect(denied.body).not.toContain('events_matched');
    expect(shown.statusCode).toBe(200);
    expect(JSON.parse(shown.body ?? '{}')).toMatchObject({
      date: '2026-11-14',
      status: 'matched',
      customers_checked: 1,
      events_matched: 1,
    });
  });

  it('answers 404 for a day never run and 400 for a bad or missing date', async () => {
    const admin = await adminToken('ops');
    expect((await get(admin, '2025-01-01')).statusCode).toBe(404);
    const bad = await get(admin, '2026-13-01');
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body ?? '{}').errors).toEqual([
      { field: 'date', message: 'is not a calendar date YYYY-MM-DD' },
    ]);
    expect((await get(admin)).statusCode).toBe(400);
  });
});

describe('npm run reconcile', () => {
  const run = (env: Record<string, string>) =>
    promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/reconcile.ts', '--date', '2026-11-15'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.current.url, ...env },
        timeout: 60_000,
      },
    ).then(
      (out) => ({ code: 0, ...out }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  it('says so and exits non-zero without a Flexprice key', async () => {
    const out = await run({});
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('Flexprice is not configured: set FLEXPRICE_API_KEY');
  }, 90_000);

  it('reconciles the day and prints a one-line summary', async () => {
    await seedCharges(db.current.sql, [{ sub: 'kai', at: ist('2026-11-15T10:00:00'), advice: 2 }]);
    await sync();
    const out = await run({
      FLEXPRICE_API_KEY: KEY,
      FLEXPRICE_API_URL: standin.url,
      RECONCILE_SETTLE_MS: '0',
    });
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe(
      '2026-11-15: matched; 1 customers, 2 events matched, 0 resent, 0 pending, 0 still missing, 0 unknown to us, 0 quantity mismatches',
    );
  }, 90_000);
});
