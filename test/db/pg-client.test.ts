/**
 * The functions' postgres.js client (functions/platform/pg-options.ts): a new connection runs no
 * type lookup of its own (the query whose dropped rejection crashed a process when the server
 * died while a connection started), and array parameters and columns still work without it.
 * Through the counting proxy and the RDS Proxy stand-in, as `stock_app`.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbConfig } from '../../functions/platform/config';
import { closeDb, db } from '../../functions/platform/db';
import { type PgProxy, startPgProxy } from '../../local/pg-proxy';
import { useTestDatabase } from '../helpers/db';

const testDb = useTestDatabase();
let proxy: PgProxy;
let saved: string | undefined;

beforeAll(async () => {
  proxy = await startPgProxy(testDb.current.url);
  saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = proxy.url;
  dbConfig.reset();
  await closeDb();
});
afterAll(async () => {
  await closeDb();
  await proxy.close();
  process.env.DATABASE_URL = saved;
  dbConfig.reset();
});

/** Text PostgreSQL can store: anything but NUL. */
const pgText = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replaceAll('\0', ''));

describe('the functions’ database client', () => {
  it('opens a connection with no query but the caller’s: nothing runs that nobody awaits', async () => {
    await closeDb();
    proxy.reset();
    const sql = await db();
    expect(await sql`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    expect(proxy.roundTrips()).toBe(1);
  });

  it('sends and reads text arrays of any content, NULLs and empty arrays included', async () => {
    const sql = await db();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(pgText, { nil: null }), { maxLength: 6 }), async (xs) => {
        const [row] = await sql<[{ a: Array<string | null>; n: number }]>`
          SELECT ${xs}::text[] AS a, cardinality(${xs}::text[]) AS n`;
        expect(row.a).toEqual(xs);
        expect(row.n).toBe(xs.length);
      }),
      { numRuns: 60 },
    );
  });

  it('matches a text-array parameter with = ANY, as the stores do', async () => {
    const sql = await db();
    const rows = await sql<{ s: string }[]>`
      SELECT s FROM unnest(ARRAY['TCS', 'INFY', 'a"b', 'c,d']) AS s
      WHERE s = ANY(${['INFY', 'a"b', 'c,d', 'WIPRO']}::text[]) ORDER BY s COLLATE "C"`;
    expect(rows.map((r) => r.s)).toEqual(['INFY', 'a"b', 'c,d'].sort());
  });

  it('reads number, numeric and timestamp arrays as postgres.js reads those scalars', async () => {
    const sql = await db();
    const at = new Date('2026-03-02T04:05:06.789Z');
    const [row] = await sql`
      SELECT ${[1, -2, null]}::int4[] AS ints, ${['12.50', '0.01']}::numeric[] AS amounts,
             ${[at.toISOString()]}::timestamptz[] AS times, ARRAY[true, false] AS flags, ARRAY[]::int8[] AS none`;
    expect(row).toEqual({
      ints: [1, -2, null],
      amounts: ['12.50', '0.01'],
      times: [at],
      flags: [true, false],
      none: [],
    });
  });
});
