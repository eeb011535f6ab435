/**
 * The migration runner used by `npm start`, the tests and the deploy-time function.
 *
 * Files are `migrations/NNNN_name.sql`, numbered from 0001 without gaps, forward only. Each file
 * runs in its own transaction holding a transaction-level advisory lock, and is recorded in
 * `schema_migrations` with a checksum, so concurrent runners apply each file exactly once and
 * an edited, already-applied file is refused. A failing file is rolled back and stops the run.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
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
  // Under the runners' lock: CREATE TABLE IF NOT EXISTS is not safe against a concurrent
  // create (the loser fails on the catalog's unique index, 23505 or 42710 depending on timing).
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_ID})`;
    await tx`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        checksum   text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
  });

  const result: MigrationResult = { applied: [], alreadyApplied: 0 };
  for (const m of migrations) {
    await sql
      .begin(async (tx) => {
        // A migration may run longer than the API's statement timeout (an index build): lift it here.
        await tx`SET LOCAL statement_timeout = 0`;
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

/** The role every function connects as (migration 0008; docs/database.md). */
export const APP_ROLE = 'stock_app';

/**
 * A SCRAM-SHA-256 verifier of `password` (RFC 5802/7677, PostgreSQL's stored format). Sending
 * the verifier instead of the password keeps the plain password out of the server's statement
 * log (`log_statement = ddl` would record `ALTER ROLE … PASSWORD 'plain'`).
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  const b64 = (b: Buffer) => b.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

export interface AppRoleSettings {
  /** Set the role's password (omit to leave it unchanged). */
  password?: string;
  /** Role defaults: PostgreSQL cancels a statement running longer (ms). */
  statementMs: number;
  /** Role defaults: PostgreSQL ends a session idle inside a transaction this long (ms). */
  idleInTransactionMs: number;
}

/**
 * After the migrations (run as the admin role): give `stock_app` its password and its
 * session timeouts. Idempotent, so every deploy and every `npm start` runs it. The values are
 * integers and a base64 verifier, so inlining them in these utility statements (which take no
 * bind parameters) is safe.
 */
export async function configureAppRole(sql: Sql, s: AppRoleSettings): Promise<void> {
  const ms = (n: number) => {
    if (!Number.isInteger(n) || n < 0) throw new MigrationError(`Invalid timeout: ${n}`);
    return `${n}ms`;
  };
  if (s.password !== undefined) {
    if (!s.password) throw new MigrationError(`Empty password for ${APP_ROLE}`);
    await alterRole(sql, `ALTER ROLE ${APP_ROLE} PASSWORD '${scramVerifier(s.password)}'`);
  }
  const [current]: [{ config: string[] | null }?] = await sql`
    SELECT s.setconfig AS config FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
    WHERE r.rolname = ${APP_ROLE} AND s.setdatabase = 0`;
  const wanted = {
    statement_timeout: ms(s.statementMs),
    idle_in_transaction_session_timeout: ms(s.idleInTransactionMs),
  };
  for (const [name, value] of Object.entries(wanted)) {
    if (current?.config?.includes(`${name}=${value}`)) continue; // unchanged: no catalog write
    await alterRole(sql, `ALTER ROLE ${APP_ROLE} SET ${name} = '${value}'`);
  }
}

/**
 * Roles are cluster-wide: two runners in different databases (tests, two stages on one server)
 * may alter the role at the same instant, and PostgreSQL then fails one with "tuple
 * concurrently updated" (XX000). The statements are idempotent: run it again.
 */
async function alterRole(sql: Sql, statement: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sql.unsafe(statement);
      return;
    } catch (error) {
      const concurrent = /concurrently updated/.test((error as Error).message);
      if (!concurrent || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
