/**
 * The Flexprice sync against a local stand-in of the Flexprice API: each charge arrives once
 * (by event id and timestamp) across failures, crashes and concurrent runs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FlexpriceConfig, flexpriceConfig } from '../../functions/billing/config';
import { flexpriceProvider, resetApiKeyCache } from '../../functions/billing/flexprice';
import { OUTBOX_SQL } from '../../functions/billing/outbox-store';
import { syncOnce } from '../../functions/billing/sync';
import { handler as syncHandler } from '../../functions/billing-sync';
import { handler as healthHandler } from '../../functions/health';
import type { Sql } from '../../functions/platform/db';
import { startSyncLoop } from '../../local/billing-sync-loop';
import {
  BULK_PATH,
  CUSTOMERS_PATH,
  type FlexpriceStandin,
  startFlexpriceStandin,
} from '../../local/flexprice-standin';
import { analyzeOk } from '../helpers/analyze';
import { useTestDatabase } from '../helpers/db';
import { withEnv } from '../helpers/env';
import { apiEvent, lambdaContext } from '../helpers/events';
import { FIXTURE, seedPrices } from '../helpers/prices';

const db = useTestDatabase();
const KEY = 'fp_test_key_0123456789abcdef';
let standin: FlexpriceStandin;

type Enabled = Extract<FlexpriceConfig, { enabled: true }>;
/** Everything the sync logged in the current test (reset before each). */
let logged: unknown[] = [];
const logger = {
  debug() {},
  info(...args: unknown[]) {
    logged.push(args);
  },
  warn(...args: unknown[]) {
    logged.push(args);
  },
};

/** The environment with which the handlers (health, billing-sync) see sync turned on. */
const withSyncOn = <T>(fn: () => Promise<T>) =>
  withEnv({ FLEXPRICE_API_KEY: KEY, FLEXPRICE_API_URL: standin.url }, [flexpriceConfig], async () => {
    resetApiKeyCache();
    return fn();
  });

function configFor(overrides: Partial<Enabled> = {}): Enabled {
  return {
    enabled: true,
    apiUrl: standin.url,
    key: { kind: 'value', value: KEY },
    batchSize: 50,
    maxAttempts: 3,
    // Generous: a busy test machine must not turn a slow answer into a timeout. The timeout
    // test sets a short one against a stand-in that never answers.
    timeoutMs: 10_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 60_000,
    leaseMs: 60_000,
    ...overrides,
  };
}

/** A clock the test moves: retries and leases become due when it passes them. */
let clock: Date;
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

async function run(overrides: Partial<Enabled> = {}, sql: Sql = db.current.sql) {
  const config = configFor(overrides);
  const metrics: Record<string, number> = {};
  const result = await syncOnce({
    sql,
    client: flexpriceProvider(config, KEY),
    config,
    now: () => clock,
    logger,
    metrics: {
      addMetric: (name: string, _unit: unknown, value: number) => {
        metrics[name] = value;
      },
    },
  });
  return { ...result, metrics };
}

const PORTFOLIO = {
  portfolio: [
    { symbol: 'TCS', quantity: 10 },
    { symbol: 'INFY', quantity: 1 },
  ],
};

async function analyze(sub: string) {
  const body = await analyzeOk(sub, PORTFOLIO);
  // The sync's clock is always after every analysis made so far, so their rows are due.
  clock = new Date(Math.max(clock.getTime(), Date.now() + 1_000));
  return body;
}

async function outbox() {
  return db.current.sql<{ event_id: string; status: string; attempts: number; last_error: string | null }[]>`
    SELECT analysis_id::text || ':' || feature AS event_id, status, attempts, last_error
    FROM billing_outbox ORDER BY 1`;
}

async function health() {
  const res = await healthHandler(apiEvent({ path: '/health' }), lambdaContext());
  return { status: res.statusCode, text: res.body ?? '', json: JSON.parse(res.body ?? '{}') };
}

beforeAll(async () => {
  await seedPrices(db.current.sql, FIXTURE);
  standin = await startFlexpriceStandin({ hangMs: 5_000 });
});

afterAll(async () => {
  await standin.close();
});

// Each test starts from an empty outbox, no known customers and a fresh stand-in.
beforeEach(async () => {
  await db.current.sql`DELETE FROM billing_outbox`;
  await db.current.sql`DELETE FROM billing_customers`;
  standin.reset();
  logged = [];
  clock = new Date(Date.now() + 1_000);
});

/** Neither the key nor the URL (nor its host) in `text`. */
function expectNoSecrets(text: string) {
  expect(text).not.toContain(KEY);
  expect(text).not.toContain(standin.url);
  expect(text).not.toContain('127.0.0.1');
}

describe('billing sync', () => {
  it('sends every charge once, with event names, customer, string quantities, ids and timestamps', async () => {
    // Prepare
    const a = await analyze('alice');
    const [row] = await db.current.sql<[{ created_at: Date }]>`
      SELECT created_at FROM analyses WHERE id = ${a.analysis_id}`;
    // Act
    const result = await run();
    const again = await run();
    // Assess
    expect(result).toMatchObject({ sent: 2, failed: 0, pending: 0, dead: 0 });
    expect(again.claimed).toBe(0);
    const byId = (x: { event_id: string }, y: { event_id: string }) => x.event_id.localeCompare(y.event_id);
    expect([...standin.accepted].sort(byId)).toEqual([
      {
        event_id: `${a.analysis_id}:advice_generation`,
        event_name: 'advice_generation',
        external_customer_id: 'alice',
        properties: { quantity: String(a.advice.length), unit_price_paise: '200' },
        timestamp: row?.created_at.toISOString(),
        source: 'stock-consultant',
      },
      {
        event_id: `${a.analysis_id}:portfolio_analysis`,
        event_name: 'portfolio_analysis',
        external_customer_id: 'alice',
        properties: { quantity: '1', unit_price_paise: '500' },
        timestamp: row?.created_at.toISOString(),
        source: 'stock-consultant',
      },
    ]);
    const bulk = standin.requests.filter((r) => r.path === BULK_PATH);
    expect(bulk).toHaveLength(1);
    expect(bulk[0]?.headers['x-api-key']).toBe(KEY);
    expect((await outbox()).filter((r) => r.event_id.startsWith(a.analysis_id)).map((r) => r.status)).toEqual(
      ['sent', 'sent'],
    );
    expect(result.metrics).toMatchObject({ OutboxSent: 2, OutboxDead: 0, OutboxOldestPendingAgeSeconds: 0 });
  });

  it('creates each customer once; an existing customer ("already exists") is fine', async () => {
    standin.customers.set('carol', { id: 'cust_pre', external_id: 'carol' });
    await analyze('bob');
    await analyze('carol');
    await run();
    await analyze('bob');
    await run();
    const creates = standin.requests.filter((r) => r.path === CUSTOMERS_PATH);
    expect(creates.map((r) => (r.body as { external_id: string }).external_id).sort()).toEqual([
      'bob',
      'carol',
    ]);
    expect(standin.counted()).toHaveLength(6);
  });

  it('retries a 500 later, with backoff, and loses nothing', async () => {
    const a = await analyze('dave');
    standin.failNext({ status: 500 });
    const first = await run();
    expect(first).toMatchObject({ sent: 0, failed: 2, pending: 2 });
    expect(standin.accepted).toHaveLength(0);
    const rows = (await outbox()).filter((r) => r.status === 'pending');
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.attempts === 1 && r.last_error?.startsWith('HTTP 500'))).toBe(true);

    expect((await run()).claimed).toBe(0); // not due yet: backoff
    advance(60_000);
    expect(await run()).toMatchObject({ sent: 2, pending: 0 });
    expect(
      standin
        .counted()
        .map((e) => e.event_id)
        .sort(),
    ).toEqual([`${a.analysis_id}:advice_generation`, `${a.analysis_id}:portfolio_analysis`]);
  });

  it('retries a timeout and a 429 later', async () => {
    await analyze('erin');
    standin.failNext({ hang: true });
    expect(await run({ timeoutMs: 400 })).toMatchObject({ failed: 2, pending: 2 });
    // The client gave up after its 400 ms timeout (the stand-in would have hung for 5 s).
    expect((await outbox()).map((r) => r.last_error)).toEqual([
      expect.stringMatching(/^RequestTimeoutError: /),
      expect.stringMatching(/^RequestTimeoutError: /),
    ]);
    advance(60_000);
    standin.failNext({ status: 429 });
    expect(await run()).toMatchObject({ failed: 2, pending: 2 });
    advance(120_000);
    expect(await run()).toMatchObject({ sent: 2, pending: 0 });
    expect(standin.counted()).toHaveLength(2);
  });

  it('re-sends the same event id and timestamp after a crash between "accepted" and "marked"', async () => {
    await analyze('frank');
    // The process dies after Flexprice's 202, before the rows are marked sent.
    const crashing = new Proxy(db.current.sql, {
      get(target, prop) {
        if (prop === 'unsafe') {
          return (query: string, params: unknown[]) =>
            query === OUTBOX_SQL.markSent
              ? Promise.reject(new Error('container frozen'))
              : target.unsafe(query, params as never);
        }
        return Reflect.get(target, prop);
      },
    });
    await expect(run({}, crashing)).rejects.toThrow('container frozen');
    expect(standin.accepted).toHaveLength(2);

    expect((await run()).claimed).toBe(0); // leased, not yet due
    advance(61_000); // the lease ran out
    expect(await run()).toMatchObject({ sent: 2 });
    expect(standin.accepted).toHaveLength(4);
    const [first, second] = [standin.accepted.slice(0, 2), standin.accepted.slice(2)];
    const pairs = (events: typeof first) => events.map((e) => `${e.event_id}@${e.timestamp}`).sort();
    expect(pairs(second)).toEqual(pairs(first));
    expect(standin.counted()).toHaveLength(2); // Flexprice deduplicates: counted once
  });

  it('two concurrent syncs never send a row twice, and both take part', async () => {
    for (let i = 0; i < 15; i++) await analyze(`racer-${i % 3}`);
    // Run x claims its first batch and is held at the provider while run y claims and sends.
    const held = standin.holdNext();
    const x = run({ batchSize: 4 });
    await held.arrived;
    const y = run({ batchSize: 4 });
    await expect.poll(() => standin.accepted.length, { timeout: 10_000 }).toBeGreaterThan(0);
    held.release();
    const results = await Promise.all([x, y]);
    expect(results[0].sent + results[1].sent).toBe(30);
    expect(results.map((r) => r.sent > 0)).toEqual([true, true]);
    const eventIds = standin.accepted.map((e) => e.event_id);
    expect(new Set(eventIds).size).toBe(30);
    expect(eventIds).toHaveLength(30);
  });

  it('a run whose lease ran out cannot undo a later run: a late failure leaves sent rows sent', async () => {
    await analyze('lena');
    standin.failNext({ status: 500 });
    const held = standin.holdNext();
    const slow = run(); // claims both rows, then waits for the provider
    await held.arrived;
    advance(61_000); // its lease ran out: the rows are due again
    expect(await run()).toMatchObject({ claimed: 2, sent: 2 });
    held.release();
    expect(await slow).toMatchObject({ failed: 2 }); // its 500 arrives now, after the rows were sent
    expect((await outbox()).map((r) => [r.status, r.last_error])).toEqual([
      ['sent', null],
      ['sent', null],
    ]);
    advance(86_400_000);
    expect((await run()).claimed).toBe(0); // nothing is sent again
  });

  it('a run whose lease ran out cannot undo a later run: a late success leaves dead rows for the operator', async () => {
    await analyze('mona');
    const held = standin.holdNext();
    const slow = run(); // its request will be accepted, but late
    await held.arrived;
    advance(61_000);
    standin.failNext({ status: 400 }, 3); // the batch, then each half alone
    expect(await run()).toMatchObject({ claimed: 2, deadLettered: 2 });
    held.release();
    expect(await slow).toMatchObject({ sent: 2 }); // accepted, but the rows were no longer its own
    const rows = await outbox();
    expect(rows.map((r) => r.status)).toEqual(['dead', 'dead']);
    expect(rows.every((r) => r.last_error?.startsWith('HTTP 400'))).toBe(true);
  });

  it('dead-letters a row after N failed attempts, counts it in metrics and /health', async () => {
    await analyze('gina');
    standin.failNext({ status: 503 }, 3);
    await run();
    advance(3_600_000);
    await run();
    advance(3_600_000);
    const last = await run();
    expect(last).toMatchObject({ deadLettered: 2, dead: 2, pending: 0 });
    expect(last.metrics.OutboxDead).toBe(2);
    const rows = await outbox();
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['dead', 3],
      ['dead', 3],
    ]);
    for (const r of rows) {
      // The stand-in's error body repeats the URL and the key: both are redacted before storing.
      expect(r.last_error).toMatch(/^HTTP 503 .*\[redacted\]/);
      expectNoSecrets(r.last_error ?? '');
    }
    expectNoSecrets(JSON.stringify(logged));
    expect(logged.length).toBeGreaterThan(0);

    const h = await withSyncOn(health);
    expect(h.json.status).toBe('degraded');
    expect(h.json.billing_sync).toEqual({
      enabled: true,
      pending: 0,
      dead: 2,
      oldest_pending_age_seconds: null,
    });
    expectNoSecrets(h.text);

    advance(3_600_000);
    expect((await run()).claimed).toBe(0); // dead rows are never sent again by themselves
  });

  it('does not retry a 4xx other than 429: a bad event is dead-lettered alone, its batch is sent', async () => {
    await analyze('hank');
    // The batch of 2 is rejected, then bisected: the first event alone is rejected again.
    standin.failNext({ status: 400 }, 2);
    const result = await run({ maxAttempts: 10 });
    expect(result).toMatchObject({ sent: 1, deadLettered: 1, pending: 0 });
    const dead = (await outbox()).filter((r) => r.status === 'dead');
    expect(dead).toHaveLength(1);
    expect(dead[0]?.attempts).toBe(1);
    expectNoSecrets(dead[0]?.last_error ?? '');
  });

  it('a customer that cannot be created keeps its rows pending, without secrets in the error', async () => {
    await analyze('olga');
    standin.failNext({ status: 503 }, 1, CUSTOMERS_PATH);
    expect(await run()).toMatchObject({ sent: 0, failed: 2, pending: 2 });
    expect(standin.requests.filter((r) => r.path === BULK_PATH)).toHaveLength(0);
    const rows = await outbox();
    expect(rows.every((r) => r.status === 'pending' && r.last_error?.startsWith('HTTP 503'))).toBe(true);
    for (const r of rows) expectNoSecrets(r.last_error ?? '');
    expectNoSecrets(JSON.stringify(logged));
  });

  it('/health shows the backlog while Flexprice is down, and never the key or URL', async () => {
    await analyze('ivan');
    const h = await withSyncOn(health);
    expect(h.json.status).toBe('ok');
    expect(h.json.billing_sync).toMatchObject({ enabled: true, pending: 2, dead: 0 });
    expect(h.json.billing_sync.oldest_pending_age_seconds).toBeGreaterThanOrEqual(0);
    expectNoSecrets(h.text);
    expect(h.text).not.toContain('flexprice');
  });

  it('the scheduled handler reads the key from the environment and drains the outbox', async () => {
    await analyze('judy');
    const out = await withSyncOn(() => syncHandler({ 'detail-type': 'Scheduled Event' }, lambdaContext()));
    expect(out).toMatchObject({ enabled: true, sent: 2 });
    expect(standin.requests.length).toBeGreaterThan(0);
    expect(standin.requests.every((r) => r.headers['x-api-key'] === KEY)).toBe(true);
  });
});

describe('billing sync without a key', () => {
  it('is off: the handler and the local loop claim nothing, /health says so', async () => {
    await analyze('kim');
    await withEnv(
      { FLEXPRICE_API_KEY: undefined, FLEXPRICE_API_KEY_SECRET_ARN: undefined },
      [flexpriceConfig],
      async () => {
        expect(await syncHandler({}, lambdaContext())).toEqual({ enabled: false });
        // The loop runs at once when started; stop() waits for that run, so no sleep is needed.
        const loopLog: unknown[] = [];
        const loop = startSyncLoop({
          intervalMs: 60_000,
          logger: { ...logger, warn: (...a) => loopLog.push(a) },
        });
        await loop.stop();
        expect(loopLog).toEqual([]);
        const h = await health();
        expect(h.json.billing_sync).toEqual({ enabled: false });
      },
    );
    expect(standin.requests).toHaveLength(0);
    // Nothing was claimed (a claim counts an attempt): turning sync on later sends them.
    expect((await outbox()).map((r) => [r.status, r.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
    ]);
  });
});

describe('analyze while Flexprice is down', () => {
  it('answers 200 and never calls Flexprice: the charges wait in the outbox', async () => {
    await withSyncOn(async () => {
      standin.failNext({ hang: true }, 100, '/');
      for (let i = 0; i < 3; i++) await analyze('leo');
    });
    expect(standin.requests).toHaveLength(0);
    expect((await outbox()).filter((r) => r.status === 'pending')).toHaveLength(6);
  });
});
