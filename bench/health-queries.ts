/**
 * Child process of bench/health.ts: database round trips per `/health` request under load. Runs
 * the real handler in this process against `BENCH_DB_URL` through the counting proxy, at 50
 * requests in flight: for 11 s with the 5 s probe cache (as deployed: two windows expire, so
 * about two probes) and for 3 s with it off. A process of its own so its database client never mixes with a running server.
 * Prints one JSON line.
 */
import { startPgProxy } from '../local/pg-proxy';
import { printResult } from './child';

const target = process.env.BENCH_DB_URL;
if (!target) throw new Error('BENCH_DB_URL is required');
const IN_FLIGHT = 50;

const proxy = await startPgProxy(target);
Object.assign(process.env, {
  DATABASE_URL: proxy.url,
  DB_MAX_CONNECTIONS: '2', // as in Lambda
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
const { handler, healthConfig } = await import('../functions/health');
const { closeDb } = await import('../functions/platform/db');
const { apiEvent, lambdaContext } = await import('../test/helpers/events');

async function load(cacheMs: number, seconds: number) {
  process.env.HEALTH_CACHE_MS = String(cacheMs);
  healthConfig.reset();
  await handler(apiEvent({ path: '/health' }), lambdaContext()); // connect (and cache) first
  proxy.reset();
  let requests = 0;
  let failures = 0;
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (Date.now() < end) {
        const res = await handler(apiEvent({ path: '/health' }), lambdaContext());
        requests++;
        if (res.statusCode !== 200) failures++;
      }
    }),
  );
  const roundTrips = proxy.roundTrips();
  return { cacheMs, seconds, requests, failures, roundTrips, perRequest: roundTrips / requests };
}

const cached = await load(5000, 11);
const uncached = await load(0, 3);
await closeDb();
await proxy.close();
printResult({ inFlight: IN_FLIGHT, cached, uncached });
