/**
 * The Flexprice sync against a local stand-in of the Flexprice API: each charge arrives once
 * (by event id and timestamp) across failures, crashes and concurrent runs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as analyzeHandler } from '../../functions/analyze';
import { type FlexpriceConfig, flexpriceConfig } from '../../functions/billing/config';
import { flexpriceProvider, resetApiKeyCache } from '../../functions/billing/flexprice';
import { OUTBOX_SQL } from '../../functions/billing/outbox-store';
import { syncOnce } from '../../functions/billing/sync';
import { handler as syncHandler } from '../../functions/billing-sync';
import { handler as healthHandler } from '../../functions/health';
import type { Sql } from '../../functions/platform/db';
import { startSyncLoop } from '../../local/billing-sync-loop';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { FIXTURE, seedPrices } from '../helpers/prices';
import { token } from '../helpers/tokens';
import { BULK_PATH, CUSTOMERS_PATH, type FlexpriceStandin, startFlexpriceStandin } from './flexprice-standin';

const db = useTestDatabase();
const KEY = 'fp_test_key_0123456789abcdef';
let standin: FlexpriceStandin;

type Enabled = Extract<FlexpriceConfig, { enabled: true }>;
const quiet = { debug() {}, info() {}, warn() {} };

function configFor(overrides: Partial<Enabled> = {}): Enabled {
  return {
    enabled: true,
    apiUrl: standin.url,
    key: { kind: 'value', value: KEY },
    batchSize: 50,
    maxAttempts: 3,
    timeoutMs: 400,
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
    logger: quiet,
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
  const res = await analyzeHandler(
    apiEvent({ method: 'POST', path: '/api/analyze', token: await token(sub), body: PORTFOLIO }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(200);
  // The sync's clock is always after every analysis made so far, so their rows are due.
  clock = new Date(Math.max(clock.getTime(), Date.now() + 1_000));
  return JSON.parse(res.body ?? '{}') as { analysis_id: string; advice: unknown[] };
}

async function outbox() {
  return db.current.sql<{ event_id: string; status: string; attempts: number; last_error: string | null }[]>`
    SELECT event_id, status, attempts, last_error FROM billing_outbox ORDER BY event_id`;
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
  for (const k of ['FLEXPRICE_API_KEY', 'FLEXPRICE_API_URL']) delete process.env[k];
  flexpriceConfig.reset();
});

beforeEach(async () => {
  await db.current.sql`UPDATE billing_outbox SET status = 'sent', sent_at = now() WHERE status <> 'sent'`;
  await db.current.sql`DELETE FROM billing_customers`;
  standin.reset();
  clock = new Date(Date.now() + 1_000);
});

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
    const started = Date.now();
    expect(await run()).toMatchObject({ failed: 2, pending: 2 });
    expect(Date.now() - started).toBeLessThan(3_000); // the 400 ms timeout, not the 5 s hang
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

  it('two concurrent syncs never send a row twice', async () => {
    const ids = [];
    for (let i = 0; i < 15; i++) ids.push((await analyze(`racer-${i % 3}`)).analysis_id);
    standin.latencyMs = 30;
    const [x, y] = await Promise.all([run({ batchSize: 4 }), run({ batchSize: 4 })]);
    expect((x?.sent ?? 0) + (y?.sent ?? 0)).toBe(30);
    const eventIds = standin.accepted.map((e) => e.event_id);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(eventIds).toHaveLength(30);
    expect(x?.sent).toBeGreaterThan(0);
    expect(y?.sent).toBeGreaterThan(0);
  });

  it('dead-letters a row after N failed attempts, counts it in metrics and /health', async () => {
    process.env.FLEXPRICE_API_KEY = KEY;
    process.env.FLEXPRICE_API_URL = standin.url;
    flexpriceConfig.reset();
    try {
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
      const dead = rows.filter((r) => r.status === 'dead');
      expect(dead.map((r) => r.attempts)).toEqual([3, 3]);
      for (const r of dead) {
        expect(r.last_error).toContain('HTTP 503');
        expect(r.last_error).not.toContain(KEY);
        expect(r.last_error).not.toContain(standin.url);
      }

      const h = await health();
      expect(h.json.status).toBe('degraded');
      expect(h.json.billing_sync).toEqual({
        enabled: true,
        pending: 0,
        dead: 2,
        oldest_pending_age_seconds: null,
      });
      expect(h.text).not.toContain(KEY);
      expect(h.text).not.toContain('127.0.0.1');

      advance(3_600_000);
      expect((await run()).claimed).toBe(0); // dead rows are never sent again by themselves
    } finally {
      await db.current.sql`UPDATE billing_outbox SET status = 'sent', sent_at = now() WHERE status = 'dead'`;
      delete process.env.FLEXPRICE_API_KEY;
      delete process.env.FLEXPRICE_API_URL;
      flexpriceConfig.reset();
    }
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
    await db.current.sql`UPDATE billing_outbox SET status = 'sent', sent_at = now() WHERE status = 'dead'`;
  });

  it('/health shows the backlog while Flexprice is down, and never the key or URL', async () => {
    process.env.FLEXPRICE_API_KEY = KEY;
    process.env.FLEXPRICE_API_URL = standin.url;
    flexpriceConfig.reset();
    try {
      await analyze('ivan');
      const h = await health();
      expect(h.json.status).toBe('ok');
      expect(h.json.billing_sync).toMatchObject({ enabled: true, pending: 2, dead: 0 });
      expect(h.json.billing_sync.oldest_pending_age_seconds).toBeGreaterThanOrEqual(0);
      expect(h.text).not.toContain(KEY);
      expect(h.text).not.toContain(standin.url);
      expect(h.text).not.toContain('flexprice');
    } finally {
      delete process.env.FLEXPRICE_API_KEY;
      delete process.env.FLEXPRICE_API_URL;
      flexpriceConfig.reset();
    }
  });

  it('the scheduled handler reads the key from the environment and drains the outbox', async () => {
    process.env.FLEXPRICE_API_KEY = KEY;
    process.env.FLEXPRICE_API_URL = standin.url;
    flexpriceConfig.reset();
    resetApiKeyCache();
    try {
      await analyze('judy');
      const out = await syncHandler({ 'detail-type': 'Scheduled Event' }, lambdaContext());
      expect(out).toMatchObject({ enabled: true, sent: 2 });
      expect(standin.requests.every((r) => r.headers['x-api-key'] === KEY)).toBe(true);
    } finally {
      delete process.env.FLEXPRICE_API_KEY;
      delete process.env.FLEXPRICE_API_URL;
      flexpriceConfig.reset();
    }
  });
});

describe('billing sync without a key', () => {
  it('is off: the handler and the local loop do nothing, /health says so', async () => {
    flexpriceConfig.reset();
    await analyze('kim');
    expect(await syncHandler({}, lambdaContext())).toEqual({ enabled: false });
    const loop = startSyncLoop({ intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    await loop.stop();
    expect(standin.requests).toHaveLength(0);
    const h = await health();
    expect(h.json.billing_sync).toEqual({ enabled: false });
    // The charges wait in the outbox: turning sync on later sends them.
    expect((await outbox()).filter((r) => r.status === 'pending')).toHaveLength(2);
  });
});

describe('analyze while Flexprice is down', () => {
  it('answers 200 at normal speed and never calls Flexprice', async () => {
    process.env.FLEXPRICE_API_KEY = KEY;
    process.env.FLEXPRICE_API_URL = standin.url;
    flexpriceConfig.reset();
    try {
      standin.failNext({ hang: true }, 100, '/');
      await analyze('warmup');
      const started = performance.now();
      for (let i = 0; i < 5; i++) await analyze('leo');
      const perAnalysis = (performance.now() - started) / 5;
      expect(perAnalysis).toBeLessThan(250);
      expect(standin.requests).toHaveLength(0);
      expect((await outbox()).filter((r) => r.status === 'pending')).toHaveLength(12);
    } finally {
      delete process.env.FLEXPRICE_API_KEY;
      delete process.env.FLEXPRICE_API_URL;
      flexpriceConfig.reset();
    }
  });
});
