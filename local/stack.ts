/**
 * The whole system on one machine: PostgreSQL (embedded, or DATABASE_URL), migrations,
 * kinesalite with the price stream, the consumer fed by the poller, the local token issuer,
 * and the HTTP API. State lives under one folder (default `.local/`) between runs.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createSql } from '../functions/platform/db';
import { migrate } from '../functions/platform/migrations';
import { startLocalApi } from './http-server';
import { type IssuerKey, LOCAL_CLIENT_ID, LOCAL_ISSUER, loadOrCreateIssuerKey } from './issuer';
import { ensureStream, kinesisClient, startKinesalite } from './kinesis';
import { startPoller } from './poller';
import { ensureDatabase, startEmbeddedPostgres } from './postgres';
import { publishTicks, readTickFile } from './publish';
import { repeat } from './repeat';

export const ROOT = resolve(import.meta.dirname, '..');

export interface StackSettings {
  dir: string;
  port: number;
  kinesisPort: number;
  pgPort: number;
  stream: string;
  databaseUrl?: string;
  /** CSV published at start (default data/stocks.csv); null to publish nothing. */
  seedFile: string | null;
  log: (line: string) => void;
}

export function settingsFromEnv(env = process.env): StackSettings {
  const port = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 0 || value > 65535)
      throw new Error(`${name} must be a TCP port, got ${env[name]}`);
    return value;
  };
  return {
    dir: resolve(env.LOCAL_DIR ?? join(ROOT, '.local')),
    port: port('PORT', 3000),
    kinesisPort: port('KINESIS_PORT', 4567),
    pgPort: port('PG_PORT', 5433),
    stream: env.PRICE_STREAM_NAME ?? 'price-ticks',
    databaseUrl: env.DATABASE_URL || undefined,
    seedFile: env.SEED_FILE === '' ? null : (env.SEED_FILE ?? join(ROOT, 'data/stocks.csv')),
    log: (line) => console.log(line),
  };
}

export interface LocalStack {
  apiUrl: string;
  kinesisEndpoint: string;
  databaseUrl: string;
  issuerKey: IssuerKey;
  stop(): Promise<void>;
}

export async function startLocalStack(s: StackSettings): Promise<LocalStack> {
  const stops: Array<[string, () => Promise<void>]> = [];
  const stopAll = async () => {
    for (const [name, stop] of stops.reverse()) {
      await stop().catch((error: unknown) => s.log(`stopping ${name} failed: ${(error as Error).message}`));
    }
    stops.length = 0;
  };
  try {
    await mkdir(s.dir, { recursive: true });

    let databaseUrl = s.databaseUrl;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({
        dataDir: join(s.dir, 'pgdata'),
        port: s.pgPort,
        persistent: true,
      });
      stops.push(['postgres', pg.stop]);
      await ensureDatabase(pg.adminUrl, 'stocks');
      databaseUrl = pg.urlFor('stocks');
      s.log(
        `postgres   ${pg.urlFor('stocks').replace(/:[^:@/]+@/, ':***@')} (data in ${join(s.dir, 'pgdata')})`,
      );
    }
    const migrator = await createSql({
      kind: 'url',
      url: databaseUrl,
      maxConnections: 1,
      prepare: true,
      ssl: false,
    });
    try {
      const { applied } = await migrate(migrator, join(ROOT, 'migrations'));
      s.log(`migrations ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
    } finally {
      await migrator.end();
    }

    const kinesis = await startKinesalite({ port: s.kinesisPort, dataDir: join(s.dir, 'kinesis') });
    stops.push(['kinesis', kinesis.stop]);
    const client = kinesisClient(kinesis.endpoint);
    stops.push(['kinesis client', async () => client.destroy()]);
    await ensureStream(client, s.stream);
    s.log(`kinesis    ${kinesis.endpoint} stream ${s.stream}`);

    const issuerKey = await loadOrCreateIssuerKey(join(s.dir, 'issuer-key.json'));
    // Handlers read their configuration from the environment, once, when first imported below.
    Object.assign(process.env, {
      DATABASE_URL: databaseUrl,
      LOCAL_JWT_ISSUER: LOCAL_ISSUER,
      LOCAL_JWT_CLIENT_ID: LOCAL_CLIENT_ID,
      LOCAL_JWKS: JSON.stringify(issuerKey.publicJwks),
    });
    // One local process stands in for many Lambda containers (each of which keeps 2 connections).
    process.env.DB_MAX_CONNECTIONS ??= '10';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    const { closeDb, db } = await import('../functions/platform/db');
    stops.push(['database pool', closeDb]);

    const { handler: consumer } = await import('../functions/consumer');
    const poller = await startPoller({
      client,
      stream: s.stream,
      handler: consumer,
      checkpointFile: join(s.dir, `checkpoints-${s.stream}.json`),
      log: s.log,
    });
    stops.push(['poller', poller.stop]);

    // Scheduled jobs: in AWS EventBridge runs them; here they run in this process.
    const { startSyncLoop } = await import('./billing-sync-loop');
    const sync = startSyncLoop({ intervalMs: 5_000 });
    stops.push(['billing sync', sync.stop]);
    const { flexpriceConfig } = await import('../functions/billing/config');
    s.log(
      flexpriceConfig().enabled
        ? 'billing    Flexprice sync on, every 5 s'
        : 'billing    Flexprice sync off (set FLEXPRICE_API_URL and FLEXPRICE_API_KEY to turn it on)',
    );
    const { closeMonths, markOverdue } = await import('../functions/invoices');
    const invoices = repeat(
      'invoice jobs',
      60_000,
      async () => {
        const sql = await db();
        const now = new Date();
        const { issued } = await closeMonths({ sql, now });
        const { overdue } = await markOverdue({ sql, now });
        if (issued || overdue) s.log(`invoices   ${issued} issued, ${overdue} marked overdue`);
      },
      s.log,
    );
    stops.push(['invoice jobs', invoices.stop]);

    const api = await startLocalApi({
      port: s.port,
      staticJson: { '/local-issuer/.well-known/jwks.json': issuerKey.publicJwks },
    });
    stops.push(['http api', api.stop]);
    s.log(`api        ${api.url}`);

    if (s.seedFile) {
      const ticks = await readTickFile(s.seedFile);
      await publishTicks(client, s.stream, ticks);
      s.log(`seeded     ${ticks.length} ticks from ${s.seedFile}`);
    }
    return { apiUrl: api.url, kinesisEndpoint: kinesis.endpoint, databaseUrl, issuerKey, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
