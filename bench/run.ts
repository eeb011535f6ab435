/**
 * `npm run bench`: every performance figure of the project, printed, never asserted.
 *
 * 1. Consumer: a 10,000-record batch, set-based vs one statement per record (bench/consumer.ts);
 *    then a year of bhavcopy files imported (bench/bhavcopy.ts).
 * 2. Analyze: `npm start`'s own script runs in a child process (as the API would run apart from
 *    its clients); autocannon drives it from this process (bench/analyze.ts), then round trips
 *    per analyze and EXPLAIN of the history, usage and billing queries at 1,000,000 analyses
 *    (2,000,000 usage events).
 *    Then the RDS Proxy stand-in: pins seen, and analyze with and without it (bench/rds-proxy.ts),
 *    and /health: database round trips per request under load, probe cache on and off (bench/health.ts).
 * 3. Web app: initial JS, time to a usable editor and Analyze → result in Chromium (bench/web.ts).
 * 4. The write of an analysis beside the f2c7dbb baseline, and usage/billing reads as one user's
 *    history grows, on a server of their own (bench/write-cost.ts, bench/usage-growth.ts);
 *    `-- --big[=N]` adds the 10-million-analysis fill.
 * 5. Bundles: size and cold import time of every Lambda bundle (bench/bundles.ts).
 * Everything lives in a temporary folder, removed afterwards.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { migrate } from '../functions/platform/migrations';
import { LOCAL_ISSUER, loadOrCreateIssuerKey, signAccessToken } from '../local/issuer';
import { freePort } from '../local/ports';
import { APP_PASSWORD_FILE, embeddedPostgresUrl, ensureDatabase } from '../local/postgres';
import { ROOT } from '../local/stack';
import { type StackProcess, startStackProcess } from '../local/stack-process';
import { benchAnalyze } from './analyze';
import { benchBhavcopy } from './bhavcopy';
import { runBundleBench, TARGET_BYTES, TARGET_INIT_MS } from './bundles';
import { benchConsumer } from './consumer';
import { benchHealth } from './health';
import { benchRdsProxy, stackStatsUrl } from './rds-proxy';
import { benchWeb } from './web';
import { benchWrite } from './write-cost';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const dir = await mkdtemp(join(tmpdir(), 'bench-'));
await chmod(dir, 0o755);
let server: StackProcess | undefined;
try {
  const ports = { PORT: await freePort(), KINESIS_PORT: await freePort(), PG_PORT: await freePort() };
  server = await startStackProcess({
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    LOCAL_DIR: dir,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const admin = embeddedPostgresUrl(ports.PG_PORT, 'postgres');

  // 1. Consumer, in a database of its own on the same server.
  await ensureDatabase(admin, 'bench_consumer');
  const consumerSql = postgres(embeddedPostgresUrl(ports.PG_PORT, 'bench_consumer'), {
    max: 2,
    onnotice: () => {},
  });
  await migrate(consumerSql, join(ROOT, 'migrations'));
  await benchConsumer(consumerSql);
  await benchBhavcopy(consumerSql);
  await consumerSql.end();

  // 2. Analyze against the running API, once the seed prices have arrived through the stream.
  const sql = postgres(embeddedPostgresUrl(ports.PG_PORT, 'stocks'), { max: 2, onnotice: () => {} });
  for (let i = 0; i < 100; i++) {
    const [row] = await sql<[{ n: number }]>`SELECT count(*)::int AS n FROM latest_prices`;
    if ((row?.n ?? 0) > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const key = await loadOrCreateIssuerKey(join(dir, 'issuer-key.json'));
  const tokens = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      signAccessToken(key, { sub: `bench-user-${i}`, issuer: LOCAL_ISSUER }),
    ),
  );
  await benchAnalyze({ baseUrl: `http://127.0.0.1:${ports.PORT}`, tokens, sql });
  await sql.end();
  await benchHealth(embeddedPostgresUrl(ports.PG_PORT, 'stocks'));

  // 2b. The RDS Proxy stand-in: pins seen by npm start's, and its own cost on analyze.
  await benchRdsProxy({
    adminUrl: admin,
    appPassword: (await readFile(join(dir, APP_PASSWORD_FILE), 'utf8')).trim(),
    stackStatsUrl: await stackStatsUrl(dir),
  });

  // 3. The web app, served by the same npm start (which built web/dist if it was stale).
  await benchWeb({ baseUrl: `http://127.0.0.1:${ports.PORT}` });
  await server.stop();
  server = undefined;

  // 4. The write and the usage reads (a private server: WAL positions are server-wide).
  await benchWrite(process.argv.slice(2));

  // 5. Bundles (CPU-bound: after the server has stopped).
  const bundles = await runBundleBench();
  console.log(`bundles: target ≤ ${TARGET_BYTES / 1024} KiB and ≤ ${TARGET_INIT_MS} ms cold import each`);
  for (const b of bundles) {
    const figures = `${(b.bytes / 1024).toFixed(0).padStart(5)} KiB  ${b.initMs.toFixed(0).padStart(4)} ms`;
    console.log(`  ${figures}  ${b.ok ? 'ok    ' : 'MISSED'}  ${b.name}`);
  }
} finally {
  if (server) await server.stop();
  await rm(dir, { recursive: true, force: true });
}
