/**
 * Adoption after a restore (SPEC §13): analyses answered and sent to Flexprice, then lost from
 * our database, come back as placeholders restored from billing records, through
 * `POST /api/admin/reconciliation {"adopt_unknown": true}` against the Flexprice stand-in.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as analysisGet } from '../../functions/analysis-get';
import { handler as analysisList } from '../../functions/analysis-list';
import { flexpriceConfig, reconcileConfig } from '../../functions/billing/config';
import { flexpriceProvider } from '../../functions/billing/flexprice';
import { InvalidDayError } from '../../functions/billing/reconciliation';
import { reconcileAndAdopt } from '../../functions/billing/reconciliation-adopt';
import type { ProviderReader } from '../../functions/billing/reconciliation-provider';
import { syncOnce } from '../../functions/billing/sync';
import type { Sql } from '../../functions/platform/db';
import { handler as reconcileLambda } from '../../functions/reconcile';
import { handler as runReconciliation } from '../../functions/reconciliation-post';
import { type FlexpriceStandin, startFlexpriceStandin } from '../../local/flexprice-standin';
import { checkLedger } from '../../scripts/lib/ledger-invariants';
import { analyzeAs, analyzeOk } from '../helpers/analyze';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { validateResponse } from '../helpers/openapi';
import { FIXTURE, seedPrices } from '../helpers/prices';
import { adminToken, token } from '../helpers/tokens';

const db = useTestDatabase();
const KEY = 'fp_test_key_adopt_0123456789';
const ENV = { FLEXPRICE_API_KEY: KEY, RECONCILE_SETTLE_MS: '0', RECONCILE_ATTEMPTS: '2' };
const PORTFOLIO = {
  portfolio: [
    { symbol: 'TCS', quantity: 10 },
    { symbol: 'INFY', quantity: 25 },
  ],
};
const quiet = { debug() {}, info() {}, warn() {} };
/**
 * The IST day every test works in, at its noon: a fixed clock (Date only), so that the day the
 * analyses fall on is the day reconciled, whenever the suite runs (near IST midnight too). In the
 * past, as the spawned `npm run reconcile` runs on the real clock.
 */
const DAY = '2026-11-30';
const YESTERDAY = '2026-11-29';
let standin: FlexpriceStandin;

function configure(env: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  flexpriceConfig.reset();
  reconcileConfig.reset();
}

async function sync() {
  const config = flexpriceConfig() as Extract<ReturnType<typeof flexpriceConfig>, { enabled: true }>;
  return syncOnce({
    sql: db.current.sql,
    client: flexpriceProvider(config, KEY),
    config,
    logger: quiet,
    metrics: { addMetric: () => {} },
  });
}

/**
 * What a restore to just before `id` does to our side: the analysis, its ledger and outbox rows
 * are gone, and the user's day counters are what they were without it.
 */
async function forget(sql: Sql, id: string) {
  await sql.begin(async (tx) => {
    await tx`DELETE FROM billing_outbox WHERE analysis_id = ${id}`;
    await tx`DELETE FROM usage_events WHERE analysis_id = ${id}`;
    await tx`DELETE FROM analyses WHERE id = ${id}`;
    // The day counters as they were without it: recounted from what is left of the ledger.
    await tx`DELETE FROM usage_daily`;
    await tx`
      INSERT INTO usage_daily (user_sub, day, feature, unit_price_paise, quantity)
      SELECT user_sub, (occurred_at AT TIME ZONE 'Asia/Kolkata')::date, feature, unit_price_paise, sum(quantity)
      FROM usage_events GROUP BY 1, 2, 3, 4`;
  });
}

const seen: Parameters<typeof validateResponse>[] = [];
async function post(body: unknown, tok?: string) {
  const res = await runReconciliation(
    apiEvent({
      method: 'POST',
      path: '/api/admin/reconciliation',
      token: tok ?? (await adminToken('ops')),
      body,
    }),
    lambdaContext(),
  );
  seen.push(['POST', '/api/admin/reconciliation', res]);
  return { status: res.statusCode, json: JSON.parse(res.body ?? 'null') };
}

const totalsOf = async (sub: string) =>
  (
    await db.current.sql`
      SELECT coalesce(sum(quantity) FILTER (WHERE feature = 'portfolio_analysis'), 0)::int AS portfolios_analyzed,
             coalesce(sum(quantity) FILTER (WHERE feature = 'advice_generation'), 0)::int AS advice_generated,
             sum(quantity * unit_price_paise)::text AS charged_paise
      FROM usage_daily WHERE user_sub = ${sub}`
  )[0];

beforeAll(async () => {
  standin = await startFlexpriceStandin();
  configure({ ...ENV, FLEXPRICE_API_URL: standin.url });
  await seedPrices(db.current.sql, FIXTURE);
});

afterAll(async () => {
  configure(Object.fromEntries([...Object.keys(ENV), 'FLEXPRICE_API_URL'].map((k) => [k, undefined])));
  await standin.close();
  expect(seen.flatMap((args) => validateResponse(...args))).toEqual([]);
});

// Each test owns the day's ledger and Flexprice's events: a day's status is about all of them.
beforeEach(async () => {
  at(`${DAY}T12:00:00+05:30`);
  standin.reset();
  await db.current.sql.begin(async (tx) => {
    for (const table of [
      'reconciliation_resends',
      'reconciliation_runs',
      'billing_outbox',
      'usage_events',
      'analyses',
      'usage_daily',
    ]) {
      await tx.unsafe(`DELETE FROM ${table}`);
    }
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('adopting events lost in a restore', () => {
  it('records them under a placeholder, so totals, history and check-ledger agree with Flexprice again', async () => {
    // Prepare: two analyses sent to Flexprice; a restore then loses the second.
    const sub = 'adopt-alice';
    await analyzeOk(sub, PORTFOLIO, { 'Idempotency-Key': 'kept-1' });
    const before = await totalsOf(sub);
    const lost = await analyzeOk(sub, PORTFOLIO, { 'Idempotency-Key': 'lost-1' });
    const after = await totalsOf(sub);
    expect(await sync()).toMatchObject({ pending: 0, dead: 0 });
    // The event carries the unit price and the key's hash, never the key.
    expect(
      standin.stored.find((e) => e.event_id === `${lost.analysis_id}:portfolio_analysis`)?.properties,
    ).toEqual({
      quantity: '1',
      unit_price_paise: '500',
      idempotency_key_sha256: createHash('sha256').update('lost-1').digest('hex'),
    });
    await forget(db.current.sql, lost.analysis_id);
    expect(await totalsOf(sub)).toEqual(before);
    const day = DAY;

    // Act
    const res = await post({ date: day, adopt_unknown: true });

    // Assess: both events adopted; the ledger is whole again and consistent.
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json).toMatchObject({
      date: day,
      state: 'finished',
      status: 'matched',
      events_adopted: 2,
      events_unknown: 0,
    });
    expect(await totalsOf(sub)).toEqual(after);
    expect(await checkLedger(db.current.sql)).toEqual([]);
    const [row] = await db.current.sql`
      SELECT rule_set, restored_at IS NOT NULL AS restored, response::text, idempotency_key_sha256
      FROM analyses WHERE id = ${lost.analysis_id}`;
    expect(row).toEqual({
      rule_set: 'restored',
      restored: true,
      response: 'null',
      idempotency_key_sha256: createHash('sha256').update('lost-1').digest('hex'),
    });
    const history = await analysisList(
      apiEvent({ path: '/api/analyses', token: await token(sub) }),
      lambdaContext(),
    );
    seen.push(['GET', '/api/analyses', history]);
    const items = JSON.parse(history.body ?? '{}').items as {
      analysis_id: string;
      restored_from_billing?: true;
    }[];
    expect(items.find((i) => i.analysis_id === lost.analysis_id)).toMatchObject({
      restored_from_billing: true,
      holdings: [],
    });
    const one = await analysisGet(
      apiEvent({
        path: `/api/analyses/${lost.analysis_id}`,
        token: await token(sub),
        pathParameters: { id: lost.analysis_id },
      }),
      lambdaContext(),
    );
    expect(one.statusCode).toBe(404);
  });

  it('a retried Idempotency-Key of an adopted analysis is refused, not billed again', async () => {
    // Prepare
    const sub = 'adopt-bob';
    const lost = await analyzeOk(sub, PORTFOLIO, { 'Idempotency-Key': 'order-7' });
    await sync();
    await forget(db.current.sql, lost.analysis_id);
    expect((await post({ date: DAY, adopt_unknown: true })).status).toBe(200);
    const billed = await totalsOf(sub);

    // Act
    const retry = await analyzeAs(sub, PORTFOLIO, { 'Idempotency-Key': 'order-7' });

    // Assess
    expect(retry.statusCode).toBe(409);
    expect(retry.json.detail).toMatch(/restored from billing records/);
    expect(await totalsOf(sub)).toEqual(billed);
  });

  it('is idempotent, and only adopts events of our id shape', async () => {
    // Prepare: one lost analysis and an event of another shape.
    const sub = 'adopt-carol';
    await analyzeOk(sub, PORTFOLIO);
    const lost = await analyzeOk(sub, PORTFOLIO);
    await sync();
    await forget(db.current.sql, lost.analysis_id);
    const now = new Date().toISOString();
    const foreign = {
      external_customer_id: sub,
      timestamp: now,
      properties: { quantity: '1', unit_price_paise: '500' },
    };
    standin.stored.push({ ...foreign, event_id: 'evt_from_elsewhere', event_name: 'portfolio_analysis' });
    const day = DAY;

    // Act
    const first = await post({ date: day, adopt_unknown: true });
    const second = await post({ date: day, adopt_unknown: true });

    // Assess
    expect(first.json).toMatchObject({ events_adopted: 2, status: 'drift', events_unknown: 1 });
    expect(first.json.findings).toContainEqual(
      expect.objectContaining({ kind: 'unknown', event_id: 'evt_from_elsewhere' }),
    );
    expect(second.json).toMatchObject({ events_adopted: 0 });
    const [counted] = await db.current.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM analyses WHERE restored_at IS NOT NULL AND user_sub = ${sub}`;
    expect(counted?.n).toBe(1);
  });

  it('without adopt_unknown only reports what our ledger lacks', async () => {
    const sub = 'adopt-dave';
    const lost = await analyzeOk(sub, PORTFOLIO);
    await analyzeOk(sub, PORTFOLIO);
    await sync();
    await forget(db.current.sql, lost.analysis_id);

    const res = await post({ date: DAY });

    expect(res.json).toMatchObject({ status: 'drift', events_adopted: 0 });
    expect(res.json.events_unknown).toBeGreaterThan(0);
    const [counted] = await db.current.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM analyses WHERE id = ${lost.analysis_id}`;
    expect(counted?.n).toBe(0);
  });

  it('the reconcile function adopts too when invoked with adopt_unknown (it reaches Flexprice in AWS)', async () => {
    const sub = 'adopt-erin';
    const lost = await analyzeOk(sub, PORTFOLIO);
    await sync();
    await forget(db.current.sql, lost.analysis_id);

    const out = await reconcileLambda({ date: DAY, adopt_unknown: true }, lambdaContext());

    expect((out as { runs: unknown[] }).runs).toEqual([
      expect.objectContaining({ state: 'finished', adopted: 2 }),
    ]);
    const [row] = await db.current.sql`SELECT rule_set FROM analyses WHERE id = ${lost.analysis_id}`;
    expect(row?.rule_set).toBe('restored');
  });

  it('refuses a day that is not a calendar date before reading Flexprice', async () => {
    const reads: string[] = [];
    const reader = new Proxy({} as ProviderReader, { get: (_t, name) => () => reads.push(String(name)) });
    const deps = { sql: db.current.sql, reader, config: reconcileConfig(), logger: quiet };
    await expect(reconcileAndAdopt('2026-02-30', deps)).rejects.toBeInstanceOf(InvalidDayError);
    expect(reads).toEqual([]);
  });

  it('npm run reconcile -- --from --to --adopt-unknown adopts day by day and prints the count', async () => {
    // Prepare
    const sub = 'adopt-finn';
    const lost = await analyzeOk(sub, PORTFOLIO);
    await sync();
    await forget(db.current.sql, lost.analysis_id);
    const [today, yesterday] = [DAY, YESTERDAY];
    const cli = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/reconcile.ts', ...args], {
        cwd: join(import.meta.dirname, '../..'),
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: db.current.url,
          FLEXPRICE_API_KEY: KEY,
          FLEXPRICE_API_URL: standin.url,
          RECONCILE_SETTLE_MS: '0',
        },
        timeout: 60_000,
      }).then(
        (out) => ({ code: 0, ...out }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );

    // Act
    const out = await cli(['--from', yesterday, '--to', today, '--adopt-unknown']);
    const bad = await cli(['--from', today, '--to', yesterday]);

    // Assess
    expect(out.stdout).toMatch(
      new RegExp(`^${today}: matched; .*; 2 adopted, 0 unknown not adoptable$`, 'm'),
    );
    expect(out.stdout).toMatch(new RegExp(`^${yesterday}: `, 'm'));
    expect(out.code).toBe(0);
    const [row] = await db.current.sql`SELECT rule_set FROM analyses WHERE id = ${lost.analysis_id}`;
    expect(row?.rule_set).toBe('restored');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is after --to/);
  });

  it('is for administrators only and checks its body', async () => {
    expect((await post({ date: '2026-11-01' }, await token('mallory'))).status).toBe(403);
    expect((await post({ date: '2026-02-30', adopt_unknown: true })).status).toBe(400);
    expect((await post({ date: '2026-11-01', adopt: true })).status).toBe(400);
  });

  it('pauses a run that would outlast the API timeout and resumes it on the next POST', async () => {
    // Prepare
    await analyzeOk('adopt-frank', PORTFOLIO);
    await sync();
    const today = DAY;
    const postWithin = async (timeoutMs: number) => {
      const res = await runReconciliation(
        apiEvent({
          method: 'POST',
          path: '/api/admin/reconciliation',
          token: await adminToken('ops'),
          body: { date: today },
        }),
        lambdaContext('reconciliation-post', { timeoutMs }),
      );
      seen.push(['POST', '/api/admin/reconciliation', res]);
      return { status: res.statusCode, json: JSON.parse(res.body ?? 'null') };
    };

    // Act
    const short = await postWithin(5_000); // no time left for a step after the reserve
    const resumed = await postWithin(29_000);

    // Assess
    expect(short).toMatchObject({ status: 200, json: { state: 'paused' } });
    expect(resumed).toMatchObject({ status: 200, json: { status: 'matched' } });
    expect(resumed.json.state).not.toBe('paused');
  });

  // A lean stage without Flexprice egress gives the route no Flexprice settings (ApiStack).
  it('says Flexprice is not configured with a 409 and no Retry-After (a retry cannot help), storing no run', async () => {
    // Prepare
    configure({ FLEXPRICE_API_KEY: undefined, FLEXPRICE_API_URL: undefined });
    try {
      // Act
      const res = await runReconciliation(
        apiEvent({
          method: 'POST',
          path: '/api/admin/reconciliation',
          token: await adminToken('ops'),
          body: { date: DAY, adopt_unknown: true },
        }),
        lambdaContext(),
      );
      seen.push(['POST', '/api/admin/reconciliation', res]);

      // Assess
      expect(res.statusCode).toBe(409);
      expect(res.headers?.['retry-after']).toBeUndefined();
      expect(JSON.parse(res.body ?? '{}').detail).toMatch(/Flexprice is not configured/);
      const [runs] = await db.current.sql<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM reconciliation_runs`;
      expect(runs?.n).toBe(0);
    } finally {
      configure({ ...ENV, FLEXPRICE_API_URL: standin.url });
    }
  });
});
