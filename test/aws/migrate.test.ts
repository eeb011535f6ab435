/**
 * The deploy-time migration function (functions/migrate.ts) against the real PostgreSQL, with
 * Secrets Manager mocked (aws-sdk-client-mock): it migrates as the admin role, then gives
 * `stock_app` the password of APP_DB_SECRET_ARN and its timeouts, idempotently. The secret
 * holds the password the test setup gave the role, so other files' connections keep working.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { appSecretConfig, handler } from '../../functions/migrate';
import { dbConfig } from '../../functions/platform/config';
import { loadMigrations } from '../../functions/platform/migrations';
import { createTestDatabase, dropTestDatabase, MIGRATIONS_DIR, type TestDatabase } from '../helpers/db';

const APP_SECRET = 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:db-app-AbCdEf';
const appPassword = decodeURIComponent(new URL(inject('pgAppUrl')).password);
const sm = mockClient(SecretsManagerClient);
const saved = { ...process.env };
let database: TestDatabase;

beforeEach(async () => {
  sm.reset();
  database = await createTestDatabase({ migrate: false });
  process.env.MIGRATIONS_DIR = MIGRATIONS_DIR;
  process.env.DATABASE_URL = database.adminUrl; // the master's role, as DB_SECRET_ARN is in AWS
});
afterEach(async () => {
  process.env = { ...saved };
  dbConfig.reset();
  appSecretConfig.reset();
  await dropTestDatabase(database);
});

const storedVerifier = async () => {
  const [row] = await database.sql<[{ v: string }]>`
    SELECT rolpassword AS v FROM pg_authid WHERE rolname = 'stock_app'`;
  return row.v;
};
/** Connects as stock_app with `password`, straight to the server. */
async function canLogIn(password: string): Promise<boolean> {
  const url = new URL(database.adminUrl);
  url.username = 'stock_app';
  url.password = password;
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`SELECT current_user AS u`;
    return row?.u === 'stock_app';
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

describe('migration function', () => {
  it('migrates, then sets stock_app’s password from the application secret, on every run', async () => {
    process.env.APP_DB_SECRET_ARN = APP_SECRET;
    sm.on(GetSecretValueCommand, { SecretId: APP_SECRET }).resolves({
      SecretString: JSON.stringify({ username: 'stock_app', password: appPassword }),
    });
    const before = await storedVerifier();
    const first = await handler();
    expect(first.applied).toEqual((await loadMigrations(MIGRATIONS_DIR)).map((m) => m.name));
    const afterFirst = await storedVerifier();
    expect(afterFirst).not.toBe(before); // written again (a fresh salt), same password
    expect(afterFirst).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(await canLogIn(appPassword)).toBe(true);
    expect(await canLogIn('not-the-password')).toBe(false);

    const second = await handler();
    expect(second.applied).toEqual([]);
    expect(await canLogIn(appPassword)).toBe(true);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('leaves the password alone without APP_DB_SECRET_ARN', async () => {
    const before = await storedVerifier();
    await handler();
    expect(await storedVerifier()).toBe(before);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('fails the deploy when the application secret is not stock_app’s (the master’s by mistake)', async () => {
    process.env.APP_DB_SECRET_ARN = APP_SECRET;
    sm.on(GetSecretValueCommand, { SecretId: APP_SECRET }).resolves({
      SecretString: JSON.stringify({ username: 'postgres', password: 'master-password' }),
    });
    const before = await storedVerifier();
    await expect(handler()).rejects.toThrow(/username "stock_app"/);
    expect(await storedVerifier()).toBe(before);
  });

  it('fails the deploy when the application secret has no password', async () => {
    process.env.APP_DB_SECRET_ARN = APP_SECRET;
    sm.on(GetSecretValueCommand, { SecretId: APP_SECRET }).resolves({
      SecretString: JSON.stringify({ username: 'stock_app' }),
    });
    const before = await storedVerifier();
    await expect(handler()).rejects.toThrow(/no username\/password/);
    expect(await storedVerifier()).toBe(before);
  });
});
