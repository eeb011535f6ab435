import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMigrations, MigrationError, migrate } from '../../functions/platform/migrations';
import { createTestDatabase, dropTestDatabase, MIGRATIONS_DIR, type TestDatabase } from '../helpers/db';

const created: TestDatabase[] = [];
afterEach(async () => {
  for (const db of created.splice(0)) await dropTestDatabase(db);
});

async function emptyDatabase() {
  const db = await createTestDatabase({ migrate: false });
  created.push(db);
  return db;
}

async function folder(files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const tables = (db: TestDatabase) =>
  db.sql<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`.then(
    (rows) => rows.map((r) => r.table_name),
  );

describe('migration runner', () => {
  it('builds a fresh database from the project migrations and records each file', async () => {
    const db = await emptyDatabase();
    const files = await loadMigrations(MIGRATIONS_DIR);
    const result = await migrate(db.sql, MIGRATIONS_DIR);
    expect(result.applied).toEqual(files.map((f) => f.name));
    expect(await tables(db)).toEqual(
      expect.arrayContaining(['latest_prices', 'quarantined_ticks', 'schema_migrations', 'users']),
    );
    const recorded = await db.sql`SELECT version FROM schema_migrations ORDER BY version`;
    expect(recorded.map((r) => r.version)).toEqual(files.map((f) => f.version));
  });

  it('is a no-op when run again', async () => {
    const db = await emptyDatabase();
    await migrate(db.sql, MIGRATIONS_DIR);
    const again = await migrate(db.sql, MIGRATIONS_DIR);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toBe((await loadMigrations(MIGRATIONS_DIR)).length);
  });

  it('applies each file once when two runners start at the same time', async () => {
    const db = await emptyDatabase();
    const dir = await folder({
      '0001_a.sql':
        'CREATE TABLE runs (id serial PRIMARY KEY, at timestamptz DEFAULT now()); INSERT INTO runs DEFAULT VALUES;',
      '0002_b.sql': 'SELECT pg_sleep(0.2); INSERT INTO runs DEFAULT VALUES;',
      '0003_c.sql': 'INSERT INTO runs DEFAULT VALUES;',
    });
    const [a, b] = await Promise.all([migrate(db.sql, dir), migrate(db.sql, dir)]);
    expect([...a.applied, ...b.applied].sort()).toEqual(['0001_a', '0002_b', '0003_c']);
    expect((await db.sql`SELECT count(*)::int AS n FROM runs`)[0]?.n).toBe(3);
  });

  it('rolls back a failing migration, stops, and names it', async () => {
    const db = await emptyDatabase();
    const dir = await folder({
      '0001_ok.sql': 'CREATE TABLE good (id int);',
      '0002_broken.sql': 'CREATE TABLE half (id int); SELECT * FROM no_such_table;',
      '0003_never.sql': 'CREATE TABLE never (id int);',
    });
    const error = await migrate(db.sql, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/0002_broken failed and was rolled back: .*no_such_table/);
    expect(await tables(db)).toEqual(['good', 'schema_migrations']);
  });

  it('refuses gaps, stray files, and an applied file that was edited', async () => {
    await expect(loadMigrations(await folder({ '0001_a.sql': '', '0003_c.sql': '' }))).rejects.toThrow(
      /without gaps/,
    );
    await expect(loadMigrations(await folder({ '0001_a.sql': '', 'notes.txt': '' }))).rejects.toThrow(
      /Unexpected file/,
    );
    const db = await emptyDatabase();
    const dir = await folder({ '0001_a.sql': 'CREATE TABLE a (id int);' });
    await migrate(db.sql, dir);
    await writeFile(join(dir, '0001_a.sql'), 'CREATE TABLE a (id bigint);');
    await expect(migrate(db.sql, dir)).rejects.toThrow(/changed after it was applied/);
  });
});
