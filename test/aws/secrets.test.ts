/**
 * Secrets Manager is the one AWS service the functions call; it cannot run here, so it is mocked
 * with aws-sdk-client-mock. The code under test (how the secret is read, parsed, cached) is real.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlexpriceKeyNotSetError, resolveApiKey } from '../../functions/billing/flexprice';
import { dbConfig } from '../../functions/platform/config';
import { closeDb, createSql, db } from '../../functions/platform/db';

const sm = mockClient(SecretsManagerClient);
const DB_SECRET = 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:db-AbCdEf';
const KEY_SECRET = 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:flexprice-AbCdEf';

beforeEach(() => sm.reset());

describe('database credentials from Secrets Manager', () => {
  const saved = { ...process.env };
  afterEach(async () => {
    await closeDb();
    process.env = { ...saved };
    dbConfig.reset();
  });

  it('connects to the RDS Proxy host with the secret’s user over verified TLS, without prepared statements', async () => {
    sm.on(GetSecretValueCommand, { SecretId: DB_SECRET }).resolves({
      SecretString: JSON.stringify({
        username: 'app',
        password: 'p@ss',
        host: 'db-instance.internal',
        port: 5432,
      }),
    });
    const sql = await createSql({
      kind: 'secret',
      secretArn: DB_SECRET,
      host: 'proxy.internal',
      port: 5432,
      database: 'stocks',
      maxConnections: 2,
      prepare: false,
      ssl: true,
    });
    expect(sql.options).toMatchObject({
      user: 'app',
      host: ['proxy.internal'],
      database: 'stocks',
      // Verified: the certificate must chain to a trusted CA and name the host
      // (postgres.js 'require' would accept any certificate).
      ssl: { rejectUnauthorized: true },
      prepare: false,
      max: 2,
    });
    // The password is asked for on each new connection, so a rotated one is picked up.
    const pass = sql.options.pass as unknown as () => Promise<string>;
    expect(typeof pass).toBe('function');
    expect(await pass()).toBe('p@ss');
    await sql.end();
  });

  it('reads the secret once per container', async () => {
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: 'app', password: 'x' }),
    });
    process.env = { ...saved, DATABASE_URL: '', DB_SECRET_ARN: DB_SECRET, DB_HOST: 'proxy.internal' };
    dbConfig.reset();
    expect(dbConfig()).toMatchObject({ kind: 'secret', prepare: false, ssl: true });
    const [a, b] = await Promise.all([db(), db()]);
    expect(a).toBe(b);
    expect(await db()).toBe(a);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('fails clearly on a secret without credentials, and tries again next time', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"username":"app"}' })
      .resolves({
        SecretString: JSON.stringify({ username: 'app', password: 'x' }),
      });
    process.env = { ...saved, DATABASE_URL: '', DB_SECRET_ARN: DB_SECRET, DB_HOST: 'proxy.internal' };
    dbConfig.reset();
    await expect(db()).rejects.toThrow('Database secret has no username/password');
    await expect(db()).resolves.toBeDefined();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});

describe('Flexprice API key from Secrets Manager', () => {
  it('reads the key once, and treats the CDK placeholder as "not set"', async () => {
    sm.on(GetSecretValueCommand, { SecretId: KEY_SECRET }).resolves({
      SecretString: '{"apiKey":"fp_live_123"}',
    });
    const source = { kind: 'secret', secretArn: KEY_SECRET } as const;
    expect(await resolveApiKey(source)).toBe('fp_live_123');
    expect(await resolveApiKey(source)).toBe('fp_live_123');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    const other = { kind: 'secret', secretArn: `${KEY_SECRET}-2` } as const;
    sm.on(GetSecretValueCommand, { SecretId: other.secretArn }).resolves({
      SecretString: '{"placeholder":true}',
    });
    await expect(resolveApiKey(other)).rejects.toBeInstanceOf(FlexpriceKeyNotSetError);
  });
});
