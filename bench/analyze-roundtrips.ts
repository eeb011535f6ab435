/**
 * Child process of bench/analyze.ts: counts database round trips per analyze by running the
 * real handler in this process against `BENCH_DB_URL` through the counting proxy. A process of
 * its own so its database client and token issuer never mix with a running local server.
 * Prints one JSON line: round trips per scenario.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { newKey } from '../functions/core/api-keys';
import { apiEvent, lambdaContext } from '../local/lambda';
import { startPgProxy } from '../local/pg-proxy';
import { printResult } from './child';
import { benchHandlerEnv } from './handler-env';

const target = process.env.BENCH_DB_URL;
if (!target) throw new Error('BENCH_DB_URL is required');

const seed = postgres(target, { max: 1, onnotice: () => {} });
await seed`
  INSERT INTO latest_prices (symbol, price, ts, sequence_number, price_v, sector, change_7d_pct, volatility)
  VALUES ('RT1', 100.00, now(), '1', '1', 'IT', -6, 0.05), ('RT2', 250.50, now(), '1', '1', 'Banking', 3, 0.01)
  ON CONFLICT (symbol) DO NOTHING`;
await seed.end();

const proxy = await startPgProxy(target);
const signToken = await benchHandlerEnv({ DATABASE_URL: proxy.url, DB_MAX_CONNECTIONS: '1' });
const { handler } = await import('../functions/analyze');
const { closeDb } = await import('../functions/platform/db');

const body = {
  portfolio: [
    { symbol: 'RT1', quantity: 3 },
    { symbol: 'RT2', quantity: 7 },
  ],
};
async function measure(sub: string, headers: Record<string, string> = {}, apiKey?: string): Promise<number> {
  const token = apiKey ?? (await signToken(sub));
  proxy.reset();
  const res = await handler(
    apiEvent({ method: 'POST', path: '/api/analyze', token, body, headers }),
    lambdaContext(),
  );
  if (res.statusCode !== 200) throw new Error(`analyze answered ${res.statusCode}: ${res.body}`);
  return proxy.roundTrips();
}

const coldUser = await measure('rt-user'); // first sight of the user (statements prepared too)
// An API key of that user, made the way POST /api/keys makes one.
const made = newKey(randomBytes(32));
const direct = postgres(target, { max: 1, onnotice: () => {} });
await direct`
  INSERT INTO api_keys (id, user_sub, name, prefix, key_hash, created_at)
  VALUES (gen_random_uuid(), 'rt-user', 'bench', ${made.prefix}, decode(${made.hash}, 'hex'), now())`;
await direct.end();
const result = {
  first_request_of_a_new_user: await measure('rt-user-2'),
  new_analysis: await measure('rt-user'),
  new_analysis_with_key: await measure('rt-user', { 'Idempotency-Key': 'rt-1' }),
  sequential_replay: await measure('rt-user', { 'Idempotency-Key': 'rt-1' }),
  new_analysis_with_api_key: await measure('rt-user', {}, made.key),
  cold_container_first_request: coldUser,
};
await closeDb();
await proxy.close();
printResult(result);
