import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RoundTripProxy, startRoundTripProxy } from '../../bench/pg-proxy';
import { handler } from '../../functions/analyze';
import { dbConfig } from '../../functions/platform/config';
import { closeDb } from '../../functions/platform/db';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { FIXTURE, seedPrices } from '../helpers/prices';
import { token } from '../helpers/tokens';

const db = useTestDatabase();
let proxy: RoundTripProxy;

const PORTFOLIO = {
  portfolio: [
    { symbol: 'TCS', quantity: 10 },
    { symbol: 'INFY', quantity: 3 },
  ],
};

async function roundTrips(sub: string, headers: Record<string, string> = {}) {
  const tok = await token(sub);
  proxy.reset();
  const res = await handler(
    apiEvent({ method: 'POST', path: '/api/analyze', token: tok, body: PORTFOLIO, headers }),
    lambdaContext(),
  );
  expect(res.statusCode).toBe(200);
  return proxy.roundTrips();
}

describe.each([
  ['prepared statements (local)', 'true'],
  ['no prepared statements (RDS Proxy)', 'false'],
])('database round trips per analyze, %s', (_name, prepare) => {
  beforeAll(async () => {
    await seedPrices(db.current.sql, FIXTURE);
    proxy = await startRoundTripProxy(db.current.url);
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

  it('2 for a new analysis (read, write), also with an Idempotency-Key', async () => {
    expect(await roundTrips(`warmup-${prepare}`)).toBe(2);
    expect(await roundTrips(`warmup-${prepare}`, { 'Idempotency-Key': `a-${prepare}` })).toBe(2);
  });

  it('1 for a sequential retry (the read finds the stored answer)', async () => {
    expect(await roundTrips(`warmup-${prepare}`, { 'Idempotency-Key': `a-${prepare}` })).toBe(1);
  });

  it('3 for a user seen for the first time by this container', async () => {
    expect(await roundTrips(`newcomer-${prepare}`)).toBe(3);
  });
});
