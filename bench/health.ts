/**
 * `/health` under load (issue 16 item 8): database round trips per request with the 5 s probe
 * cache and without it, counted on the wire (bench/health-queries.ts, in a child process).
 */
import { runChild } from './child';

interface Phase {
  cacheMs: number;
  seconds: number;
  requests: number;
  failures: number;
  roundTrips: number;
  perRequest: number;
}

export async function benchHealth(
  databaseUrl: string,
  log: (line: string) => void = console.log,
): Promise<void> {
  const r = await runChild<{ inFlight: number; cached: Phase; uncached: Phase }>('health-queries.ts', {
    BENCH_DB_URL: databaseUrl,
  });
  const line = (p: Phase) =>
    `${p.requests} requests in ${p.seconds} s (${p.failures} not 200), ${p.roundTrips} database round trips = ` +
    `${p.perRequest.toPrecision(2)} per request`;
  log(`/health: ${r.inFlight} requests in flight on one process (one Lambda container's worth)`);
  log(`  probe cached 5 s (as deployed): ${line(r.cached)}`);
  log(`  cache off (HEALTH_CACHE_MS=0):  ${line(r.uncached)}`);
}
