/**
 * The migration runner used by `npm start`, the tests and the deploy-time function.
 *
 * Files are `migrations/NNNN_name.sql`, numbered from 0001 without gaps, forward only. Each file
 * runs in its own transaction holding a transaction-level advisory lock, and is recorded in
 * `schema_migrations` with a checksum, so concurrent runners apply each file exactly once and
 * an edited, already-applied file is refused. A failing file is rolled back and stops the run.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from './db';

/** Arbitrary constant that names this application's migration lock. */
const LOCK_ID = 72_466_113;
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/** Read and check the migration files of a folder: names, numbering, no gaps. */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => !f.startsWith('.')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_PATTERN.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new MigrationError(`Unexpected file in ${dir}: ${file} (expected NNNN_name.sql)`);
    }
    const text = await readFile(join(dir, file), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: `${match[1]}_${match[2]}`,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    });
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new MigrationError(`Migrations must be numbered 0001, 0002, … without gaps; found ${m.name}`);
    }
  });
  return migrations;
}

/** Apply every pending migration of `dir`, each once, in order. */
export async function migrate(sql: Sql, dir: string): Promise<MigrationResult> {
  const migrations = await loadMigrations(dir);
  await sql`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      checksum   text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`.catch((error: unknown) => {
    // Two runners creating the table at the same instant: one loses the race, harmlessly.
    if ((error as { code?: string }).code !== '23505') throw error;
  });

  const result: MigrationResult = { applied: [], alreadyApplied: 0 };
  for (const m of migrations) {
    await sql
      .begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${LOCK_ID})`;
        const [done]: [{ checksum: string }?] = await tx`
          SELECT checksum FROM schema_migrations WHERE version = ${m.version}`;
        if (done) {
          if (done.checksum !== m.checksum) {
            throw new MigrationError(
              `Migration ${m.name} was changed after it was applied; add a new file instead`,
            );
          }
          result.alreadyApplied += 1;
          return;
        }
        await tx.unsafe(m.sql);
        await tx`
          INSERT INTO schema_migrations (version, name, checksum)
          VALUES (${m.version}, ${m.name}, ${m.checksum})`;
        result.applied.push(m.name);
      })
      .catch((error: unknown) => {
        if (error instanceof MigrationError) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new MigrationError(`Migration ${m.name} failed and was rolled back: ${reason}`, {
          cause: error,
        });
      });
  }
  return result;
}
