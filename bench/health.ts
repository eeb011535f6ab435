/**
 * `/health` under load (issue 16 item 8): database round trips per request with the 5 s probe
 * cache and without it, counted on the wire (bench/health-queries.ts, in a child process).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../local/stack';

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
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'health-queries.ts')],
    { env: { ...process.env, BENCH_DB_URL: databaseUrl }, cwd: ROOT },
  );
  const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    inFlight: number;
    cached: Phase;
    uncached: Phase;
  };
  const line = (p: Phase) =>
    `${p.requests} requests in ${p.seconds} s (${p.failures} not 200), ${p.roundTrips} database round trips = ` +
    `${p.perRequest.toPrecision(2)} per request`;
  log(`/health: ${r.inFlight} requests in flight on one process (one Lambda container's worth)`);
  log(`  probe cached 5 s (as deployed): ${line(r.cached)}`);
  log(`  cache off (HEALTH_CACHE_MS=0):  ${line(r.uncached)}`);
}
