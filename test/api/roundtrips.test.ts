import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/analyze';
import { newKey } from '../../functions/core/api-keys';
import { dbConfig } from '../../functions/platform/config';
import { closeDb } from '../../functions/platform/db';
import { type PgProxy, startPgProxy } from '../../local/pg-proxy';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { FIXTURE, seedPrices } from '../helpers/prices';
import { token } from '../helpers/tokens';
import { insertBars, weekdays } from '../market/fixtures';

const db = useTestDatabase();
let proxy: PgProxy;

const PORTFOLIO = {
  portfolio: [
    { symbol: 'TCS', quantity: 10 },
    { symbol: 'INFY', quantity: 3 },
  ],
};

async function roundTrips(sub: string, headers: Record<string, string> = {}, credential?: string) {
  const tok = credential ?? (await token(sub));
  proxy.reset();
  const res = await handler(
    apiEvent({ method: 'POST', path: '/api/analyze', token: tok, body: PORTFOLIO, headers }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(200);
  // Portfolio risk over 60 common sessions came with the same read.
  expect(JSON.parse(res.body ?? '{}').details.risk).toMatchObject({
    sessions: 60,
    annualised_volatility: expect.any(Number),
  });
  return proxy.roundTrips();
}

describe.each([
  ['prepared statements (local)', 'true'],
  ['no prepared statements (RDS Proxy)', 'false'],
])('database round trips per analyze, %s', (_name, prepare) => {
  beforeAll(async () => {
    await seedPrices(db.current.sql, FIXTURE);
    // 80 sessions of history each: the read brings what the measures and portfolio risk need.
    for (const [symbol, close] of [
      ['TCS', 4000],
      ['INFY', 1500],
    ] as const) {
      await insertBars(
        db.current.sql,
        symbol,
        weekdays('2026-11-27', 80).map((session, i) => ({ session, close: close + (i % 7) })),
      );
    }
    proxy = await startPgProxy(db.current.url);
    process.env.DATABASE_URL = proxy.url;
    // One connection, as a Lambda container has, so statement preparation is paid once.
    process.env.DB_MAX_CONNECTIONS = '1';
    process.env.DB_PREPARE = prepare;
    dbConfig.reset();
    await closeDb();
    await roundTrips(`warmup-${prepare}`);
  });

  afterAll(async () => {
    await closeDb();
    await proxy.close();
    process.env.DATABASE_URL = db.current.url;
    delete process.env.DB_MAX_CONNECTIONS;
    delete process.env.DB_PREPARE;
    dbConfig.reset();
  });

  it('2 for a new analysis (read, write), also with an Idempotency-Key and risk measured', async () => {
    expect(await roundTrips(`warmup-${prepare}`)).toBe(2);
    expect(await roundTrips(`warmup-${prepare}`, { 'Idempotency-Key': `new-${prepare}` })).toBe(2);
  });

  it('1 for a sequential retry (the read finds the stored answer)', async () => {
    await roundTrips(`warmup-${prepare}`, { 'Idempotency-Key': `retry-${prepare}` });
    expect(await roundTrips(`warmup-${prepare}`, { 'Idempotency-Key': `retry-${prepare}` })).toBe(1);
  });

  it('2 with an API key: the key lookup (and its last-use touch) rides on the read', async () => {
    const { key, prefix, hash } = newKey(randomBytes(32));
    await db.current.sql`INSERT INTO users (sub) VALUES (${`keyed-${prepare}`}) ON CONFLICT DO NOTHING`;
    await db.current.sql`
      INSERT INTO api_keys (id, user_sub, name, prefix, key_hash, created_at)
      VALUES (gen_random_uuid(), ${`keyed-${prepare}`}, 'bench', ${prefix}, decode(${hash}, 'hex'), now())`;
    expect(await roundTrips('unused', {}, key)).toBe(2);
    expect(await roundTrips('unused', { 'Idempotency-Key': `k-${prepare}` }, key)).toBe(2);
    expect(await roundTrips('unused', { 'Idempotency-Key': `k-${prepare}` }, key)).toBe(1);
  });

  it('3 for a user seen for the first time by this container', async () => {
    expect(await roundTrips(`newcomer-${prepare}`)).toBe(3);
  });
});
