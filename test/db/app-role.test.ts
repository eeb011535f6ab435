/**
 * Least privilege (SPEC §7): the role every function connects as owns nothing and may only
 * run the DML its tables need. Each statement below runs the way a function would run it:
 * as stock_app, through the RDS Proxy stand-in (the file's DATABASE_URL).
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scramVerifier } from '../../functions/platform/migrations';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase();
let app: postgres.Sql;
beforeAll(() => {
  app = postgres(db.current.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await app.end({ timeout: 1 });
});

const INSUFFICIENT_PRIVILEGE = '42501';

describe('the application role stock_app', () => {
  it('is no superuser, creates no roles or databases, and owns nothing', async () => {
    const [role] = await db.current.sql`
      SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin
      FROM pg_roles WHERE rolname = 'stock_app'`;
    expect(role).toEqual({
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolreplication: false,
      rolbypassrls: false,
      rolcanlogin: true,
    });
    const [owned] = await db.current.sql`
      SELECT (SELECT count(*) FROM pg_class WHERE relowner = r.oid)::int
           + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid)::int
           + (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)::int AS n
      FROM pg_roles r WHERE r.rolname = 'stock_app'`;
    expect(owned?.n).toBe(0);
  });

  it('reads and writes the application’s tables', async () => {
    await app`INSERT INTO users (sub) VALUES ('role-test') ON CONFLICT (sub) DO UPDATE SET email = NULL`;
    expect(await app`SELECT sub FROM users WHERE sub = 'role-test'`).toHaveLength(1);
  });

  it.each([
    ['DROP a table', 'DROP TABLE usage_events'],
    ['ALTER a table', 'ALTER TABLE users ADD COLUMN x int'],
    ['TRUNCATE the ledger', 'TRUNCATE usage_events'],
    ['DELETE from the ledger', 'DELETE FROM usage_events'],
    ['rewrite the ledger', "UPDATE usage_events SET feature = 'x'"],
    ['CREATE a table', 'CREATE TABLE mine (i int)'],
    ['CREATE a temporary table', 'CREATE TEMP TABLE mine (i int)'],
    ['CREATE a schema', 'CREATE SCHEMA mine'],
    ['CREATE a function', 'CREATE FUNCTION mine() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'],
    ['DROP the schema', 'DROP SCHEMA public CASCADE'],
    ['read the migration history', 'SELECT * FROM schema_migrations'],
    ['read password hashes', 'SELECT rolname, rolpassword FROM pg_authid'],
  ])('cannot %s', async (_what, statement) => {
    await expect(app.unsafe(statement)).rejects.toMatchObject({
      code: expect.stringMatching(/^42501$|^42P01$/),
    });
  });

  it('cannot make itself more powerful', async () => {
    await expect(app.unsafe('ALTER ROLE stock_app SUPERUSER')).rejects.toMatchObject({
      code: INSUFFICIENT_PRIVILEGE,
    });
    await expect(app.unsafe('ALTER ROLE stock_app CREATEDB')).rejects.toMatchObject({
      code: INSUFFICIENT_PRIVILEGE,
    });
    // A GRANT by a non-owner only warns "no privileges were granted": it changes nothing.
    await app.unsafe('GRANT DELETE ON usage_events TO stock_app');
    await expect(app.unsafe('DELETE FROM usage_events')).rejects.toMatchObject({
      code: INSUFFICIENT_PRIVILEGE,
    });
  });

  it('changes its own password (single-user rotation, as the rotation function does)', async () => {
    // The same password under a fresh salt: the server's stored verifier changes, and every
    // other file, logging in with that password, keeps working.
    const password = decodeURIComponent(new URL(db.current.url).password);
    const stored = () =>
      db.current.sql<[{ v: string }]>`SELECT rolpassword AS v FROM pg_authid WHERE rolname = 'stock_app'`;
    const [before] = await stored();
    await app.unsafe(`ALTER ROLE stock_app PASSWORD '${scramVerifier(password)}'`);
    const [after] = await stored();
    expect(after?.v).not.toBe(before?.v);
    const fresh = postgres(db.current.url, { max: 1, onnotice: () => {} });
    try {
      expect(await fresh`SELECT current_user AS u`).toEqual([{ u: 'stock_app' }]);
    } finally {
      await fresh.end({ timeout: 1 });
    }
  });
});
