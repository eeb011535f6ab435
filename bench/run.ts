/**
 * `npm run bench`: performance figures, printed, never asserted. Starts its own PostgreSQL
 * (or uses BENCH_DATABASE_URL) in a temporary folder and removes it afterwards.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { migrate } from '../functions/shared/migrations';
import { ensureDatabase, startEmbeddedPostgres } from '../local/postgres';
import { ROOT } from '../local/stack';
import { freePort } from '../test/setup/global';
import { benchConsumer } from './consumer';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.MAX_TICK_FUTURE_SECONDS ??= '300';

const dir = await mkdtemp(join(tmpdir(), 'bench-'));
await chmod(dir, 0o755);
let stopPg = async () => {};
try {
  let url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    const pg = await startEmbeddedPostgres({
      dataDir: join(dir, 'pg'),
      port: await freePort(),
      persistent: false,
    });
    stopPg = pg.stop;
    await ensureDatabase(pg.adminUrl, 'bench');
    url = pg.urlFor('bench');
  }
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  await migrate(sql, join(ROOT, 'migrations'));
  await benchConsumer(sql);
  await sql.end();
} finally {
  await stopPg();
  await rm(dir, { recursive: true, force: true });
}
