/**
 * The RDS Proxy stand-in that the test setup puts in front of PostgreSQL, used the way the
 * functions use RDS Proxy: connections made exactly as functions/platform/db.ts makes them,
 * as the application role. What RDS Proxy would refuse is refused here, and what it would pin
 * is counted.
 */
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';
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

  it('passes a cancel request on to the server', async () => {
    const error = await using(await functionClient(), async (sql) => {
      const query = sql`SELECT pg_sleep(30)`;
      const result = query.catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the statement is running
      query.cancel();
      return result;
    });
    // Cancelled on request, not by the 5 s statement timeout.
    expect(error).toMatchObject({ code: '57014', message: expect.stringMatching(/user request/) });
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
