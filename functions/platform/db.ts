/**
 * The one postgres.js client of a container. Built on first use and kept at module scope so
 * warm invocations reuse the connection. In AWS the credentials come from the RDS secret in
 * Secrets Manager (fetched once, cached) and the host is the RDS Proxy endpoint.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import postgres from 'postgres';
import { type DbConfig, dbConfig } from './config';

export type Sql = postgres.Sql;

let client: Promise<Sql> | undefined;

interface RdsSecret {
  username: string;
  password: string;
  host?: string;
  port?: number;
  dbname?: string;
}

async function readSecret(secretArn: string, sm = new SecretsManagerClient({})): Promise<RdsSecret> {
  const out = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
  const parsed = JSON.parse(out.SecretString ?? '{}') as Partial<RdsSecret>;
  if (!parsed.username || !parsed.password) {
    throw new Error('Database secret has no username/password');
  }
  return parsed as RdsSecret;
}

/** Options shared by every connection: quiet notices, bigint-safe numerics returned as strings. */
const common = {
  onnotice: () => {},
  idle_timeout: 20,
  connect_timeout: 5,
  connection: { application_name: 'stock-consultant' },
} satisfies postgres.Options<Record<string, never>>;

export async function createSql(config: DbConfig, sm?: SecretsManagerClient): Promise<Sql> {
  if (config.kind === 'url') {
    return postgres(config.url, {
      ...common,
      max: config.maxConnections,
      prepare: config.prepare,
      ssl: config.ssl ? 'require' : false,
    });
  }
  const secret = await readSecret(config.secretArn, sm);
  return postgres({
    ...common,
    host: config.host,
    port: config.port,
    database: config.database,
    username: secret.username,
    password: secret.password,
    max: config.maxConnections,
    prepare: config.prepare,
    ssl: 'require',
  });
}

/** The container's client, created on first call. A failed creation is not cached. */
export function db(): Promise<Sql> {
  if (!client) {
    client = createSql(dbConfig()).catch((error: unknown) => {
      client = undefined;
      throw error;
    });
  }
  return client;
}

/** Close the container's client (local server shutdown, tests). */
export async function closeDb(): Promise<void> {
  const current = client;
  client = undefined;
  if (current) await (await current).end({ timeout: 5 });
}

/** postgres.js / server error codes that mean "the database is unreachable right now". */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** True when an error is a database outage or a retryable conflict, not a bug or bad data. */
export function isTransientDbError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return TRANSIENT_CODES.has(code) || code.startsWith('08');
}
