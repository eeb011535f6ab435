/**
 * A warm container after a secret rotation, against the real PostgreSQL: the role's password
 * changes (ALTER ROLE, as the rotation function does) and the secret with it (Secrets Manager
 * mocked with aws-sdk-client-mock). The client must reconnect with the new password.
 */
import { randomBytes } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createSql, isTransientDbError, type Sql } from '../../functions/platform/db';
import { rotatingCredentials } from '../../functions/platform/db-credentials';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../helpers/db';

const SECRET = 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:db-rotation-AbCdEf';
const sm = mockClient(SecretsManagerClient);
const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
const role = `rot_${randomBytes(4).toString('hex')}`;
let database: TestDatabase;
let sql: Sql | undefined;

/** What the rotation function does: a new password on the role and in the secret. */
async function rotate(password: string, options: { secretToo?: boolean } = {}): Promise<void> {
  await admin.unsafe(`ALTER ROLE ${role} PASSWORD '${password}'`);
  if (options.secretToo !== false) secretHolds(password);
}
function secretHolds(password: string): void {
  sm.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({
    SecretString: JSON.stringify({ username: role, password }),
  });
}
const secretReads = () => sm.commandCalls(GetSecretValueCommand).length;

beforeAll(async () => {
  database = await createTestDatabase({ migrate: false });
  await admin.unsafe(`CREATE ROLE ${role} LOGIN PASSWORD 'first-password'`);
  await admin.unsafe(`GRANT CONNECT ON DATABASE ${database.name} TO ${role}`);
});
afterAll(async () => {
  await dropTestDatabase(database);
  await admin.unsafe(`DROP ROLE IF EXISTS ${role}`);
  await admin.end();
});
beforeEach(async () => {
  await sql?.end({ timeout: 1 });
  sm.reset();
  await rotate('first-password');
  const url = new URL(inject('pgAdminUrl'));
  sql = await createSql(
    {
      kind: 'secret',
      secretArn: SECRET,
      host: url.hostname,
      port: Number(url.port),
      database: database.name,
      maxConnections: 2,
      prepare: false,
      ssl: false, // the test server has no TLS; TLS options are checked in secrets.test.ts
    },
    new SecretsManagerClient({}),
  );
});

/**
 * Keeps the client's first (already authenticated) connection busy, so the next query needs a
 * new connection: what a warm container sees once its idle connection has closed.
 */
async function holdFirstConnection(client: Sql) {
  // Connect first: with `fetch_types: false` (platform/pg-options.ts) postgres.js 3.4.9 never
  // answers a reserve() that has to open the pool's first connection.
  await client`SELECT 1`;
  const held = await client.reserve();
  await held`SELECT 1`;
  return held;
}

describe('after a rotation', () => {
  it('a warm client connects with the new password (re-read on 28P01, query run once more)', async () => {
    const client = sql as Sql;
    expect(await client`SELECT current_user AS who`).toEqual([{ who: role }]);
    const held = await holdFirstConnection(client);
    const before = secretReads();
    // Act: rotate while the client is warm (its cached password is now wrong).
    await rotate('second-password');
    // Assess: a query on a new connection succeeds, after exactly one more secret read.
    expect(await client`SELECT current_user AS who`).toEqual([{ who: role }]);
    expect(secretReads()).toBe(before + 1);
    held.release();
  });

  it('a transaction is retried the same way, and its work happens once', async () => {
    const client = sql as Sql;
    const held = await holdFirstConnection(client);
    await rotate('third-password');
    let runs = 0;
    const result = await client.begin(async (tx) => {
      runs += 1;
      const [row] = await tx`SELECT 2 AS two`;
      return row?.two;
    });
    expect(result).toBe(2);
    expect(runs).toBe(1);
    held.release();
  });

  it('a password that is still wrong after the re-read fails with 28P01, retried only once', async () => {
    const client = sql as Sql;
    const held = await holdFirstConnection(client);
    const before = secretReads();
    // The role changed but the secret did not (a half-finished rotation).
    await rotate('fourth-password', { secretToo: false });
    const error = await client`SELECT 1`.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '28P01' });
    expect(secretReads()).toBe(before + 1);
    // Transient: the API answers 503 with Retry-After while a rotation settles (docs/deploy.md).
    expect(isTransientDbError(error)).toBe(true);
    held.release();
  });

  it('without a rotation, a new connection reads nothing (the password is cached)', async () => {
    const client = sql as Sql;
    const held = await holdFirstConnection(client);
    const before = secretReads();
    expect(await client`SELECT 1 AS ok`).toEqual([{ ok: 1 }]);
    expect(secretReads()).toBe(before);
    held.release();
  });
});

describe('password cache', () => {
  it('re-reads the secret once the cached password is older than the TTL', async () => {
    sm.reset();
    secretHolds('a');
    let clock = 0;
    const credentials = await rotatingCredentials(new SecretsManagerClient({}), SECRET, {
      ttlMs: 1000,
      now: () => clock,
    });
    secretHolds('b');
    expect(await credentials.password()).toBe('a');
    clock = 1000;
    expect(await credentials.password()).toBe('b');
    expect(secretReads()).toBe(2);
  });
});
