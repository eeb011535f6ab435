/**
 * Chaos (issue 8, defects 1 and 3): a real PostgreSQL of this file's own (the shared one other
 * files use is never touched) is frozen with SIGSTOP, and killed with SIGKILL, under a bounded
 * concurrent load of analyze and /health calls. Every answer is a 200 or a 503 with
 * Retry-After (never a 500); a request answered 503 was not charged; after recovery a retry
 * with the same Idempotency-Key gives exactly one charge; the ledger stays consistent.
 * No wall-clock assertion: the handlers get a short Lambda timeout, the statuses are checked;
 * the generous test timeouts only leave room for restarts on a loaded two-core machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as analyze } from '../../functions/analyze';
import { handler as health, healthConfig } from '../../functions/health';
import { dbConfig } from '../../functions/platform/config';
import { closeDb, type Sql } from '../../functions/platform/db';
import { configureAppRole, migrate } from '../../functions/platform/migrations';
import { PG_CLIENT_DEFAULTS } from '../../functions/platform/pg-options';
import { withFreePorts } from '../../local/ports';
import { appRoleUrl, ensureDatabase, type LocalPostgres, startEmbeddedPostgres } from '../../local/postgres';
import { checkLedger } from '../../scripts/lib/ledger-invariants';
import { MIGRATIONS_DIR } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { validateResponse } from '../helpers/openapi';
import { FIXTURE, seedPrices, TWO_ADVICE } from '../helpers/prices';
import { token } from '../helpers/tokens';

/** The Lambda timeout the handlers see during the outage: they must answer 503 before it. */
const OUTAGE_TIMEOUT_MS = 3000;
const LOAD = 8;
const APP_PASSWORD = 'chaos-app-password';
const ROLE_TIMEOUTS = { statementMs: 5_000, idleInTransactionMs: 10_000 };

let dir: string;
let port: number;
let pg: LocalPostgres;
let url: string;
const saved = { ...process.env };

/** The postmaster of the data folder and its children (backends, checkpointer, …). */
function postgresPids(): number[] {
  const master = Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === master;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  return [master, ...children];
}

function signal(pids: number[], sig: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** A short-lived client of our own (not the handlers'), for setup and checks. */
async function withSql<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { ...PG_CLIENT_DEFAULTS, max: 1, connect_timeout: 2 });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Wait (bounded) until the server answers again. */
async function waitForDatabase() {
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      await withSql((sql) => sql`SELECT 1`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error('the database did not come back');
}

async function analyzeAs(sub: string, key: string | null, timeoutMs?: number) {
  const headers: Record<string, string> = key ? { 'Idempotency-Key': key } : {};
  const res = await analyze(
    apiEvent({ method: 'POST', path: '/api/analyze', token: await token(sub), body: TWO_ADVICE, headers }),
    lambdaContext('analyze', { timeoutMs }),
  );
  expect(validateResponse('POST', '/api/analyze', res)).toEqual([]);
  return res;
}

async function healthCheck(timeoutMs?: number) {
  const res = await health(apiEvent({ path: '/health' }), lambdaContext('health', { timeoutMs }));
  expect(validateResponse('GET', '/health', res)).toEqual([]);
  return { status: res.statusCode, headers: res.headers ?? {}, json: JSON.parse(res.body ?? 'null') };
}

function expectOkOr503(res: { statusCode?: number; headers?: Record<string, unknown> }) {
  expect([200, 503]).toContain(res.statusCode);
  if (res.statusCode === 503) {
    expect(res.headers?.['retry-after']).toMatch(/^\d+$/);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
  }
}

async function analysesOf(sub: string): Promise<Array<{ key: string | null; n: number }>> {
  return withSql(
    (sql) => sql<Array<{ key: string | null; n: number }>>`
    SELECT idempotency_key AS key, count(*)::int AS n FROM analyses WHERE user_sub = ${sub}
    GROUP BY idempotency_key ORDER BY idempotency_key`,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stock-consultant-chaos-'));
  await chmod(dir, 0o755);
  // On another port if the one found free is taken first; the restart below reuses it.
  pg = await withFreePorts(1, async (free) => {
    const started = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port: free, persistent: true });
    port = free;
    return started;
  });
  await ensureDatabase(pg.adminUrl, 'chaos');
  url = pg.urlFor('chaos');
  await withSql(async (sql) => {
    await migrate(sql, MIGRATIONS_DIR);
    await configureAppRole(sql, { password: APP_PASSWORD, ...ROLE_TIMEOUTS });
    await seedPrices(sql, FIXTURE);
  });
  await closeDb();
  Object.assign(process.env, {
    // The handlers connect as the application role, whose role defaults hold the timeouts.
    DATABASE_URL: appRoleUrl(url, APP_PASSWORD),
    DB_CONNECT_TIMEOUT_MS: '1000',
    HEALTH_DB_TIMEOUT_MS: '500',
  });
  dbConfig.reset();
  healthConfig.reset();
});

afterAll(async () => {
  if (dir) signal(postgresPids(), 'SIGCONT');
  await closeDb();
  await pg?.stop();
  process.env = saved;
  dbConfig.reset();
  healthConfig.reset();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('database outages under load', () => {
  it('frozen (SIGSTOP): 503 + Retry-After for all, nothing charged; one charge per key after recovery', async () => {
    expect((await analyzeAs('warm', null)).statusCode).toBe(200);
    const keys = Array.from({ length: LOAD }, (_, i) => `frozen-${i}`);
    const pids = postgresPids();
    signal(pids, 'SIGSTOP');
    let during: Array<Awaited<ReturnType<typeof analyzeAs>>>;
    let healthDuring: Awaited<ReturnType<typeof healthCheck>>;
    try {
      [healthDuring, ...during] = await Promise.all([
        healthCheck(5000),
        ...keys.map((key) => analyzeAs('frozen', key, OUTAGE_TIMEOUT_MS)),
        ...keys.map(() => analyzeAs('frozen-nokey', null, OUTAGE_TIMEOUT_MS)),
      ]);
    } finally {
      signal(pids, 'SIGCONT');
    }
    expect(during.map((r) => r.statusCode)).toEqual(Array(2 * LOAD).fill(503));
    for (const res of during) expectOkOr503(res);
    expect(healthDuring.status).toBe(503);
    expect(healthDuring.json).toMatchObject({ status: 'unavailable' });
    expect(healthDuring.headers['retry-after']).toMatch(/^\d+$/);

    await waitForDatabase();
    // Retry every keyed request: each is answered, and charged once.
    for (const key of keys) expect((await analyzeAs('frozen', key)).statusCode).toBe(200);
    await closeDb(); // drains whatever the abandoned handlers still had queued
    expect(await analysesOf('frozen')).toEqual(keys.sort().map((key) => ({ key, n: 1 })));
    // The abandoned writes reached the database only after its deadline: refused, not charged.
    expect(await analysesOf('frozen-nokey')).toEqual([]);
    expect((await healthCheck()).status).toBe(200);
    expect(await withSql(checkLedger)).toEqual([]);
  }, 120_000);

  it('killed (SIGKILL) under load: 200 or 503, never 500; after a restart one charge per key', async () => {
    expect((await analyzeAs('warm', null)).statusCode).toBe(200);
    const keys = Array.from({ length: LOAD }, (_, i) => `killed-${i}`);
    const requests = [
      ...keys.map((key) => analyzeAs('killed', key, OUTAGE_TIMEOUT_MS)),
      ...keys.map(() => analyzeAs('killed-nokey', null, OUTAGE_TIMEOUT_MS)),
    ];
    // Kill as soon as the first answer is in, with the others in flight.
    await Promise.race(requests);
    signal(postgresPids(), 'SIGKILL');
    const during = await Promise.all(requests);
    for (const res of during) expectOkOr503(res);
    const healthDown = await healthCheck(5000);
    expect(healthDown.status).toBe(503);
    expect(healthDown.json).toMatchObject({ status: 'unavailable' });
    const afterKill = await analyzeAs('killed', 'after-kill', OUTAGE_TIMEOUT_MS);
    expect(afterKill.statusCode).toBe(503);
    expect(afterKill.headers?.['retry-after']).toMatch(/^\d+$/);

    pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, persistent: true });
    await waitForDatabase();
    for (const key of [...keys, 'after-kill']) {
      const retry = await analyzeAs('killed', key);
      expect(retry.statusCode, key).toBe(200);
    }
    expect(await analysesOf('killed')).toEqual([...keys, 'after-kill'].sort().map((key) => ({ key, n: 1 })));
    // Without a key, every 200 was charged; a 503 was charged only if its commit beat the kill.
    const [nokey] = await analysesOf('killed-nokey');
    const answered = during.slice(LOAD).filter((r) => r.statusCode === 200).length;
    expect(nokey?.n ?? 0).toBeGreaterThanOrEqual(answered);
    expect(nokey?.n ?? 0).toBeLessThanOrEqual(LOAD);
    expect((await healthCheck()).status).toBe(200);
    expect(await withSql(checkLedger)).toEqual([]);
  }, 120_000);

  it('a write stuck behind a lock is cancelled by the statement timeout: 503, rolled back, not charged', async () => {
    expect((await analyzeAs('locked', 'first')).statusCode).toBe(200);
    await closeDb();
    // This file's own server: lowering the role's default affects no other file.
    await withSql((sql) => configureAppRole(sql, { ...ROLE_TIMEOUTS, statementMs: 300 }));
    const blocker = postgres(url, { ...PG_CLIENT_DEFAULTS, max: 1 });
    try {
      await blocker.begin(async (tx) => {
        // Hold the day counters every analyze of this user updates, as a long transaction would.
        await tx`SELECT 1 FROM usage_daily WHERE user_sub = 'locked' FOR UPDATE`;
        const res = await analyzeAs('locked', 'second');
        expect(res.statusCode).toBe(503);
        expect(res.headers?.['retry-after']).toMatch(/^\d+$/);
      });
      expect(await analysesOf('locked')).toEqual([{ key: 'first', n: 1 }]);
      expect((await analyzeAs('locked', 'second')).statusCode).toBe(200);
    } finally {
      await blocker.end({ timeout: 1 });
      await closeDb();
      await withSql((sql) => configureAppRole(sql, ROLE_TIMEOUTS));
    }
    expect(await withSql(checkLedger)).toEqual([]);
  }, 120_000);
});
