/**
 * A fresh, migrated database for one test file on the shared test server.
 * `useTestDatabase()` registers the hooks and points DATABASE_URL (read by handlers) at it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, inject } from 'vitest';
import { closeDb, type Sql } from '../../functions/platform/db';
import { migrate } from '../../functions/platform/migrations';

export const MIGRATIONS_DIR = join(import.meta.dirname, '../../migrations');

export interface TestDatabase {
  name: string;
  url: string;
  sql: Sql;
}

function urlWithDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
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
  const url = urlWithDatabase(adminUrl, name);
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  if (options.migrate !== false) await migrate(sql, MIGRATIONS_DIR);
  return { name, url, sql };
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
