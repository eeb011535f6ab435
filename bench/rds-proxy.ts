/**
 * The RDS Proxy stand-in in numbers (docs/database.md): pinned sessions seen, and its own cost
 * on analyze, measured with and without it in the same run (bench/rds-proxy-child.ts).
 * Part of `npm run bench`; alone: `npx tsx bench/rds-proxy.ts` (its own PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres from 'postgres';
import { DEFAULT_DB_TIMEOUTS } from '../functions/platform/config';
import { configureAppRole, migrate } from '../functions/platform/migrations';
import { freePort } from '../local/ports';
import { appRoleUrl, ensureDatabase, startEmbeddedPostgres, urlWithDatabase } from '../local/postgres';
import { type ProxyStats, readRdsProxyStats } from '../local/rds-proxy';
import { runChild } from './child';

const ROOT = resolve(import.meta.dirname, '..');

/** What bench/rds-proxy-child.ts prints: latencies in ms, and the stand-in's pin counts. */
interface RdsProxyChildResult extends Pick<ProxyStats, 'sessions' | 'pinnedSessions' | 'pins'> {
  calls: number;
  direct: { p50: number; p95: number };
  proxy: { p50: number; p95: number };
}

export async function benchRdsProxy(options: {
  /** Admin URL of the server (any database). */
  adminUrl: string;
  /** stock_app's current password on that server (kept: a running npm start uses it). */
  appPassword: string;
  /** A running npm start's stand-in (`${LOCAL_DIR}/rds-proxy.json`): its pins are printed too. */
  stackStatsUrl?: string;
}): Promise<void> {
  const database = 'bench_rds_proxy';
  await ensureDatabase(options.adminUrl, database);
  const admin = postgres(urlWithDatabase(options.adminUrl, database), { max: 1, onnotice: () => {} });
  try {
    await migrate(admin, join(ROOT, 'migrations'));
    await configureAppRole(admin, { password: options.appPassword, ...DEFAULT_DB_TIMEOUTS });
    await admin`
      INSERT INTO latest_prices (symbol, price, ts, sequence_number, price_v, sector, change_7d_pct, volatility)
      VALUES ('RP1', 100.00, now(), '1', '1', 'IT', -6, 0.05), ('RP2', 250.50, now(), '1', '1', 'Banking', 3, 0.01)
      ON CONFLICT (symbol) DO NOTHING`;
  } finally {
    await admin.end();
  }
  const appUrl = appRoleUrl(urlWithDatabase(options.adminUrl, database), options.appPassword);
  const r = await runChild<RdsProxyChildResult>(
    'rds-proxy-child.ts',
    { BENCH_APP_URL: appUrl },
    { timeout: 600_000 },
  );
  const overhead = (k: 'p50' | 'p95') => (r.proxy[k] - r.direct[k]).toFixed(2);
  console.log(`RDS Proxy stand-in: analyze, ${r.calls} sequential calls each way, same run`);
  console.log(`  direct        p50 ${r.direct.p50} ms  p95 ${r.direct.p95} ms`);
  console.log(`  stand-in      p50 ${r.proxy.p50} ms  p95 ${r.proxy.p95} ms`);
  console.log(`  overhead      p50 ${overhead('p50')} ms  p95 ${overhead('p95')} ms`);
  console.log(
    `  pins (bench)  ${r.pinnedSessions} pinned of ${r.sessions} sessions ${JSON.stringify(r.pins)}`,
  );
  if (options.stackStatsUrl) {
    const s = await readRdsProxyStats(options.stackStatsUrl, { user: 'stock_app' });
    console.log(
      `  pins (npm start, whole bench so far) ${s.pinnedSessions} pinned of ${s.sessions} sessions ${JSON.stringify(s.pins)}`,
    );
  }
}

/** `npm start`'s stand-in, if `dir` holds a running one. */
export async function stackStatsUrl(dir: string): Promise<string | undefined> {
  const text = await readFile(join(dir, 'rds-proxy.json'), 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as { statsUrl: string }).statsUrl : undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const dir = await mkdtemp(join(tmpdir(), 'bench-rds-proxy-'));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
  });
  try {
    await benchRdsProxy({ adminUrl: pg.adminUrl, appPassword: randomBytes(18).toString('base64url') });
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
  process.exit(0);
}
