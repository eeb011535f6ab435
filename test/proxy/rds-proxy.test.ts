/**
 * The RDS Proxy stand-in that the test setup puts in front of PostgreSQL, used the way the
 * functions use RDS Proxy: connections made exactly as functions/platform/db.ts makes them,
 * as the application role. What RDS Proxy would refuse is refused here, and what it would pin
 * is counted.
 */
import postgres from 'postgres';
import { describe, expect, inject, it, vi } from 'vitest';
import { dbConfig } from '../../functions/platform/config';
import { createSql, isTransientDbError, type Sql } from '../../functions/platform/db';
import { readRdsProxyStats } from '../../local/rds-proxy';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase();
const stats = () => readRdsProxyStats(inject('rdsProxyStatsUrl'), { database: db.current.name });

/** A client built as every function builds its own, from DATABASE_URL. */
async function functionClient(): Promise<Sql> {
  return createSql(dbConfig({ DATABASE_URL: db.current.url }));
}

async function using<T>(sql: Sql, fn: (sql: Sql) => Promise<T>): Promise<T> {
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

describe('connecting through the stand-in', () => {
  it('accepts the functions’ connection, as stock_app with the role’s timeouts', async () => {
    const row = await using(await functionClient(), async (sql) => {
      const [r] = await sql`
        SELECT current_user AS "user", current_setting('statement_timeout') AS statement,
               current_setting('idle_in_transaction_session_timeout') AS idle,
               current_setting('application_name') AS app`;
      return r;
    });
    expect(row).toEqual({ user: 'stock_app', statement: '5s', idle: '10s', app: 'stock-consultant' });
  });

  it('refuses a startup message with a session setting, as RDS Proxy does', async () => {
    const sql = postgres(db.current.url, { max: 1, connection: { statement_timeout: 1000 } });
    await expect(using(sql, (s) => s`SELECT 1`)).rejects.toMatchObject({
      code: '0A000',
      message: 'Feature not supported: RDS Proxy currently doesn’t support the option statement_timeout.',
    });
    const withOptions = postgres(db.current.url, { max: 1, connection: { options: '-c search_path=x' } });
    await expect(using(withOptions, (s) => s`SELECT 1`)).rejects.toMatchObject({
      code: '0A000',
      message: 'Feature not supported: RDS Proxy currently doesn’t support command-line options.',
    });
    expect((await stats()).refused.map((r) => r.message)).toEqual([
      expect.stringMatching(/option statement_timeout/),
      expect.stringMatching(/command-line options/),
    ]);
  });

  it('cancels a statement over the role’s limit on the functions’ connection: a transient error', async () => {
    // This database only, so other files keep the 5 s default: the per-database role setting wins.
    await db.current.sql.unsafe(
      `ALTER ROLE stock_app IN DATABASE ${db.current.name} SET statement_timeout = '200ms'`,
    );
    try {
      const error = await using(await functionClient(), (sql) => sql`SELECT pg_sleep(3)`).catch((e) => e);
      expect(error).toMatchObject({ code: '57014' }); // query_canceled
      expect(isTransientDbError(error)).toBe(true);
    } finally {
      await db.current.sql.unsafe(
        `ALTER ROLE stock_app IN DATABASE ${db.current.name} RESET statement_timeout`,
      );
    }
  });

  it('passes a cancel request on to the server, which stops the statement', async () => {
    // The statement holds an advisory lock for a minute if it runs on. postgres.js rejects a
    // query it has not sent yet with a 57014 error of its own, so the proof is the server's: the
    // lock given back while the functions' connection is still open, and the server's error.
    const key = 0x5ca7;
    const held = async () => {
      const rows = await db.current.sql`
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND objid = ${key} AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
      return rows.length > 0;
    };
    const poll = { timeout: 10_000, interval: 20 };
    // Past the poll's bound, so the role's 5 s timeout cannot be what stops it.
    await db.current.sql.unsafe(
      `ALTER ROLE stock_app IN DATABASE ${db.current.name} SET statement_timeout = '60s'`,
    );
    try {
      const error = await using(await functionClient(), async (sql) => {
        const query = sql`SELECT pg_advisory_xact_lock(${key}), pg_sleep(60)`;
        const result = query.catch((e: unknown) => e);
        await vi.waitFor(async () => expect(await held(), 'the statement is running').toBe(true), poll);
        query.cancel();
        await vi.waitFor(async () => expect(await held(), 'the server stopped it').toBe(false), poll);
        return result;
      });
      expect(error).toBeInstanceOf(postgres.PostgresError); // sent by the server
      expect(error).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    } finally {
      await db.current.sql.unsafe(
        `ALTER ROLE stock_app IN DATABASE ${db.current.name} RESET statement_timeout`,
      );
    }
  });
});

describe('pinning', () => {
  it('counts nothing for transaction-scoped settings, xact locks and unnamed statements', async () => {
    const before = await stats();
    await using(await functionClient(), async (sql) => {
      await sql.begin(async (tx) => {
        await tx`SET LOCAL statement_timeout = 0`;
        await tx`SELECT pg_advisory_xact_lock(7)`;
        await tx`SELECT symbol FROM latest_prices WHERE symbol = ${'TCS'}`;
      });
    });
    const after = await stats();
    expect(after.sessions).toBe(before.sessions + 1);
    expect(after.pinnedSessions).toBe(before.pinnedSessions);
  });

  it('counts each cause of SPEC §7, per session', async () => {
    const before = await stats();
    const sql = postgres(db.current.url, { max: 1, prepare: true, onnotice: () => {} });
    await using(sql, async (s) => {
      await s`SELECT symbol FROM latest_prices WHERE symbol = ${'TCS'}`; // a named prepared statement
      await s.unsafe('SET search_path = public');
      await s.unsafe('PREPARE q AS SELECT 1');
      await s.unsafe('LISTEN price_changes');
      await s.unsafe('SELECT pg_advisory_lock(7)');
      await s.unsafe('DECLARE c CURSOR WITH HOLD FOR SELECT 1');
      // stock_app may not create temporary tables (migration 0008): refused, and counted anyway.
      await expect(s.unsafe('CREATE TEMP TABLE t (i int)')).rejects.toMatchObject({ code: '42501' });
    });
    const seen = await stats();
    expect(seen.pinnedSessions).toBe(before.pinnedSessions + 1);
    const session = seen.pinned.at(-1);
    expect(session).toMatchObject({ user: 'stock_app', database: db.current.name });
    expect(session?.causes.sort()).toEqual([
      'advisory-lock',
      'cursor-with-hold',
      'listen',
      'named-statement',
      'prepare',
      'set',
      'temp-table',
    ]);
  });
});
