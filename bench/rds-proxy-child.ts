/**
 * Child process of bench/rds-proxy.ts: the real analyze handler in this process, as stock_app,
 * alternately straight to PostgreSQL and through the RDS Proxy stand-in, in the same run, so
 * the difference is the stand-in's own cost. Prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { apiEvent, lambdaContext } from '../local/lambda';
import { startRdsProxy } from '../local/rds-proxy';
import { printResult } from './child';
import { benchHandlerEnv } from './handler-env';
import { percentile } from './stats';

const target = process.env.BENCH_APP_URL;
if (!target) throw new Error('BENCH_APP_URL is required (stock_app, straight to the server)');
const ROUNDS = 3;
const CALLS = Number(process.env.BENCH_RDS_PROXY_CALLS ?? 150);

const server = new URL(target);
const proxy = await startRdsProxy({ targetHost: server.hostname, targetPort: Number(server.port) });
const signToken = await benchHandlerEnv({ DB_MAX_CONNECTIONS: '1' });
const { dbConfig } = await import('../functions/platform/config');
const { closeDb } = await import('../functions/platform/db');
const { handler } = await import('../functions/analyze');

const token = await signToken('bench-rds-proxy');
const body = {
  portfolio: [
    { symbol: 'RP1', quantity: 3 },
    { symbol: 'RP2', quantity: 7 },
  ],
};
const event = () => apiEvent({ method: 'POST', path: '/api/analyze', token, body });

/** Sequential analyze calls through `url`, after a warm-up on a fresh pool: latencies in ms. */
async function run(url: string, calls: number): Promise<number[]> {
  await closeDb();
  process.env.DATABASE_URL = url;
  dbConfig.reset();
  const times: number[] = [];
  for (let i = 0; i < calls + 20; i++) {
    const started = performance.now();
    const res = await handler(event(), lambdaContext());
    if (res.statusCode !== 200) throw new Error(`analyze answered ${res.statusCode}: ${res.body}`);
    if (i >= 20) times.push(performance.now() - started);
  }
  return times;
}

const direct: number[] = [];
const through: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  direct.push(...(await run(target, CALLS)));
  through.push(...(await run(proxy.urlFor(target), CALLS)));
}
await closeDb();
const pct = (xs: number[], p: number) => Number(percentile(xs, p).toFixed(2));
const stats = proxy.stats();
await proxy.close();
printResult({
  calls: direct.length,
  direct: { p50: pct(direct, 0.5), p95: pct(direct, 0.95) },
  proxy: { p50: pct(through, 0.5), p95: pct(through, 0.95) },
  sessions: stats.sessions,
  pinnedSessions: stats.pinnedSessions,
  pins: stats.pins,
});
