/**
 * The whole system on one machine: PostgreSQL (embedded, or DATABASE_URL), migrations,
 * kinesalite with the price stream, the consumer fed by the poller, the local token issuer,
 * and the HTTP API. State lives under one folder (default `.local/`) between runs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { dbConfig, readDbTimeouts } from '../functions/platform/config';
import { createSql } from '../functions/platform/db';
import { APP_ROLE, configureAppRole, migrate } from '../functions/platform/migrations';
import { localFailureFile } from './failure-queue';
import { startLocalApi } from './http-server';
import { type IssuerKey, LOCAL_CLIENT_ID, LOCAL_ISSUER, loadOrCreateIssuerKey } from './issuer';
import { ensureStream, kinesisClient, startKinesalite } from './kinesis';
import { createOidcProvider, ISSUER_PATH } from './oidc/provider';
import { startPoller } from './poller';
import {
  APP_PASSWORD_FILE,
  appRoleUrl,
  ensureDatabase,
  loadOrCreateAppPassword,
  startEmbeddedPostgres,
} from './postgres';
import { type RdsProxy, startRdsProxy } from './rds-proxy';
import { repeat } from './repeat';
import { localReconciliation, localRetention } from './scheduled';
import {
  importSampleHistory,
  PRICE_ONLY_FIELDS,
  publishSeed,
  sampleHistory,
  startOfNextSession,
} from './seed';
import { createStaticSite } from './web/static';

export const ROOT = resolve(import.meta.dirname, '..');

export interface StackSettings {
  dir: string;
  port: number;
  kinesisPort: number;
  pgPort: number;
  stream: string;
  /** A server and its admin role (DATABASE_URL); default: embedded PostgreSQL on pgPort. */
  databaseUrl?: string;
  /** Port of the RDS Proxy stand-in (RDS_PROXY_PORT); default: any free port. */
  rdsProxyPort?: number;
  /** CSV published at start (default data/stocks.csv); null to publish nothing. */
  seedFile: string | null;
  /** Sample bhavcopy files imported on first start (from env: data/sample-history); absent or null for none. */
  sampleHistoryDir?: string | null;
  /** The built web app served at `/` (default web/dist); null to serve none. */
  webDist: string | null;
  /** Port of `npm run web:dev`, whose origin the local sign-in also accepts as a redirect URI. */
  webDevPort: number;
  /** Lifetime of the local sign-in's access and ID tokens (default 900 s, as prod); tests shorten it. */
  accessTokenTtlSeconds?: number;
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
    ...(env.RDS_PROXY_PORT ? { rdsProxyPort: port('RDS_PROXY_PORT', 0) } : {}),
    seedFile: env.SEED_FILE === '' ? null : (env.SEED_FILE ?? join(ROOT, 'data/stocks.csv')),
    sampleHistoryDir:
      env.SAMPLE_HISTORY_DIR === ''
        ? null
        : resolve(env.SAMPLE_HISTORY_DIR ?? join(ROOT, 'data/sample-history')),
    webDist: env.WEB_DIST === '' ? null : resolve(env.WEB_DIST ?? join(ROOT, 'web/dist')),
    webDevPort: port('WEB_DEV_PORT', 5173),
    accessTokenTtlSeconds: env.LOCAL_TOKEN_TTL
      ? positiveSeconds('LOCAL_TOKEN_TTL', env.LOCAL_TOKEN_TTL)
      : undefined,
    log: (line) => console.log(line),
  };
}

function positiveSeconds(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number of seconds, got ${text}`);
  return value;
}

const redact = (url: string) => url.replace(/:[^:@/]+@/, ':***@');

/** Where the local sign-in may send the browser back to: the app under npm start and under web:dev. */
function localRedirectUris(s: Pick<StackSettings, 'port' | 'webDevPort'>): string[] {
  return [s.port, s.webDevPort].flatMap((port) => [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`]);
}

export interface LocalStack {
  apiUrl: string;
  kinesisEndpoint: string;
  /** What the functions use: stock_app through the RDS Proxy stand-in. */
  databaseUrl: string;
  /** The admin role, directly (migrations). */
  adminDatabaseUrl: string;
  rdsProxy: RdsProxy;
  issuerKey: IssuerKey;
  stop(): Promise<void>;
}

/**
 * Time budget of a stop (Ctrl-C ends every part within 5 s, even when PostgreSQL is already dead
 * or frozen): the parts that talk to the database together get APP_STOP_MS, each at most
 * STEP_STOP_MS; PostgreSQL itself (stopped last) gets what is left of STOP_BUDGET_MS.
 */
export const STOP_BUDGET_MS = 4_500;
const APP_STOP_MS = 2_000;
const STEP_STOP_MS = 1_500;

/** Resolves when `work` settles or after `ms`, whichever is first; true if it settled. */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  const settled = await Promise.race([work.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}

export async function startLocalStack(s: StackSettings): Promise<LocalStack> {
  const stops: Array<[string, () => Promise<void>]> = [];
  let pgStop: ((waitMs: number) => Promise<void>) | undefined;
  const stopAll = async () => {
    const started = Date.now();
    for (const [name, stop] of stops.reverse()) {
      const budget = Math.min(STEP_STOP_MS, APP_STOP_MS - (Date.now() - started));
      const work = stop().catch((error: unknown) =>
        s.log(`stopping ${name} failed: ${(error as Error).message}`),
      );
      if (!(await within(budget, work))) s.log(`stopping ${name} took too long; moving on`);
    }
    stops.length = 0;
    if (pgStop) {
      const stop = pgStop;
      pgStop = undefined;
      const left = STOP_BUDGET_MS - (Date.now() - started);
      await within(
        left,
        stop(Math.max(0, left - 100)).catch(() => {}),
      );
    }
  };
  try {
    await mkdir(s.dir, { recursive: true });

    // DATABASE_URL names a server and its admin role (as the RDS master): migrations only.
    let adminUrl = s.databaseUrl;
    if (!adminUrl) {
      const pg = await startEmbeddedPostgres({
        dataDir: join(s.dir, 'pgdata'),
        port: s.pgPort,
        persistent: true,
      });
      pgStop = pg.stop; // stopped last, after everything that uses it (see stopAll)
      await ensureDatabase(pg.adminUrl, 'stocks');
      adminUrl = pg.urlFor('stocks');
      s.log(`postgres   ${redact(adminUrl)} (data in ${join(s.dir, 'pgdata')})`);
    }
    const appPassword =
      process.env.APP_DB_PASSWORD || (await loadOrCreateAppPassword(join(s.dir, APP_PASSWORD_FILE)));
    const migrator = await createSql({
      kind: 'url',
      url: adminUrl,
      maxConnections: 1,
      prepare: false,
      ssl: false,
    });
    try {
      const { applied } = await migrate(migrator, join(ROOT, 'migrations'));
      s.log(`migrations ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
      await configureAppRole(migrator, { password: appPassword, ...readDbTimeouts(process.env) });
    } finally {
      await migrator.end();
    }
    // Every function reaches PostgreSQL through the RDS Proxy stand-in, as stock_app (docs/database.md).
    const server = new URL(adminUrl);
    const rdsProxy = await startRdsProxy({
      targetHost: server.hostname,
      targetPort: Number(server.port || 5432),
      ...(s.rdsProxyPort === undefined ? {} : { port: s.rdsProxyPort }),
    });
    stops.push(['rds proxy stand-in', rdsProxy.close]);
    const databaseUrl = rdsProxy.urlFor(appRoleUrl(adminUrl, appPassword));
    await writeFile(
      join(s.dir, 'rds-proxy.json'),
      JSON.stringify({ port: rdsProxy.port, statsUrl: rdsProxy.statsUrl }),
    );
    s.log(`rds proxy  127.0.0.1:${rdsProxy.port} as ${APP_ROLE} (pins: ${rdsProxy.statsUrl})`);

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
    // A restart in the same process (tests) gets a new stand-in port: read DATABASE_URL afresh.
    dbConfig.reset();
    // One local process stands in for many Lambda containers (each of which keeps 2 connections).
    process.env.DB_MAX_CONNECTIONS ??= '10';
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    // What a database restore must not undo (functions/platform/journal.ts, docs/operations.md).
    process.env.JOURNAL_FILE ??= join(s.dir, 'journal.jsonl');
    const { closeDb, db } = await import('../functions/platform/db');
    stops.push(['database pool', closeDb]);

    // Sample history first (SPEC §11), so the seed below lands in a session after it.
    const history = s.sampleHistoryDir ? await sampleHistory(s.sampleHistoryDir) : null;
    if (history) s.log(`history    ${await importSampleHistory(await db(), history.files)}`);

    const { handler: consumer } = await import('../functions/consumer');
    const poller = await startPoller({
      client,
      stream: s.stream,
      handler: consumer,
      checkpointFile: join(s.dir, `checkpoints-${s.stream}.json`),
      failureFile: localFailureFile(s.dir, s.stream),
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
    stops.push(['retention', (await localRetention(s.log)).stop]);
    if (flexpriceConfig().enabled) stops.push(['reconciliation', (await localReconciliation(s.log)).stop]);

    const api = await startLocalApi({
      port: s.port,
      handlers: [
        createOidcProvider({
          key: issuerKey,
          issuer: LOCAL_ISSUER,
          clientId: LOCAL_CLIENT_ID,
          redirectUris: localRedirectUris(s),
          fallbackOrigin: `http://127.0.0.1:${s.port}`,
          tokenTtlSeconds: s.accessTokenTtlSeconds,
        }),
        ...(s.webDist
          ? [
              createStaticSite({
                dir: s.webDist,
                config: {
                  apiBaseUrl: '',
                  authority: ISSUER_PATH,
                  clientId: LOCAL_CLIENT_ID,
                  scope: 'openid email aws.cognito.signin.user.admin',
                },
              }),
            ]
          : []),
      ],
    });
    stops.push(['http api', api.stop]);
    s.log(`api        ${api.url}`);

    if (s.seedFile) {
      // With history, the seed sends prices only: the measures are derived from the history.
      const options = history?.lastSession
        ? { fields: PRICE_ONLY_FIELDS, notBeforeMs: startOfNextSession(history.lastSession) }
        : {};
      const sent = await publishSeed(client, s.stream, s.seedFile, Date.now(), options);
      s.log(
        `seeded     ${sent} ticks from ${s.seedFile} (as of its modification time${options.fields ? '; prices only' : ''})`,
      );
    }
    return {
      apiUrl: api.url,
      kinesisEndpoint: kinesis.endpoint,
      databaseUrl,
      adminDatabaseUrl: adminUrl,
      rdsProxy,
      issuerKey,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
