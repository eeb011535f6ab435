/**
 * The one postgres.js client of a container. Built on first use and kept at module scope so
 * warm invocations reuse the connection. In AWS the host is the RDS Proxy endpoint and the
 * credentials come from the function's secret in Secrets Manager (the application role
 * `stock_app`'s; the master's only for the migration function), read so that a rotation never
 * locks a warm container out (db-credentials.ts). Locally DATABASE_URL points at the RDS Proxy
 * stand-in (local/rds-proxy.ts), as `stock_app` (docs/database.md).
 */
import type { ConnectionOptions } from 'node:tls';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import postgres from 'postgres';
import { type DbConfig, type DbTimeouts, DEFAULT_DB_TIMEOUTS, dbConfig } from './config';
import { retryOnInvalidPassword, rotatingCredentials } from './db-credentials';
import { PG_CLIENT_DEFAULTS } from './pg-options';

export type Sql = postgres.Sql;

let client: Promise<Sql> | undefined;

/**
 * Options shared by every connection: no per-connection type lookup and quiet notices
 * (pg-options.ts), and the connect bound of DbTimeouts.
 * The startup message carries only what RDS Proxy accepts (SPEC §7: user, database and
 * `application_name`; postgres.js adds `client_encoding`): any other parameter, such as
 * `statement_timeout`, makes the proxy refuse the connection. The server-side timeouts are
 * therefore defaults of the role the functions log in as (`stock_app`, migration 0008 and
 * `configureAppRole`), which also avoids a `SET` that would pin the proxy session. A statement
 * the server cancels is rolled back whole: every write of the API is one statement or one
 * transaction, so a timeout never leaves half a charge.
 */
function commonOptions(t: DbTimeouts) {
  return {
    ...PG_CLIENT_DEFAULTS,
    idle_timeout: 20,
    connect_timeout: t.connectMs / 1000,
    connection: { application_name: APPLICATION_NAME },
  } satisfies postgres.Options<Record<string, postgres.PostgresType>>;
}

/** The `application_name` of every function's connection (the RDS Proxy stand-in shows it). */
const APPLICATION_NAME = 'stock-consultant';

/**
 * TLS that checks the server's certificate and name. postgres.js's `ssl: 'require'` encrypts
 * but accepts any certificate (`rejectUnauthorized: false`), which a man in the middle would
 * pass. RDS Proxy presents an ACM certificate that Node's bundled CAs trust; a direct
 * connection to an RDS instance (the lean profile, docs/deploy.md) needs the RDS CAs, which
 * the CDK app adds with NODE_EXTRA_CA_CERTS.
 */
export const VERIFIED_TLS: ConnectionOptions = { rejectUnauthorized: true };

export async function createSql(dbc: DbConfig, sm?: SecretsManagerClient): Promise<Sql> {
  const { timeouts, ...config } = dbc;
  const common = commonOptions(timeouts ?? DEFAULT_DB_TIMEOUTS);
  const tls = config.ssl ? VERIFIED_TLS : false;
  if (config.kind === 'url') {
    return postgres(config.url, {
      ...common,
      max: config.maxConnections,
      prepare: config.prepare,
      ssl: tls,
    });
  }
  const credentials = await rotatingCredentials(sm ?? new SecretsManagerClient({}), config.secretArn);
  const sql = postgres({
    ...common,
    host: config.host,
    port: config.port,
    database: config.database,
    username: credentials.username,
    password: () => credentials.password(),
    max: config.maxConnections,
    prepare: config.prepare,
    ssl: tls,
  });
  return retryOnInvalidPassword(sql, credentials.invalidate);
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
  '57014', // query_canceled: our statement_timeout (the statement was rolled back)
  '55P03', // lock_not_available
  '25P03', // idle_in_transaction_session_timeout
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  // invalid_password, still after the secret was re-read (db-credentials.ts): the window of a
  // rotation in which RDS Proxy and the secret disagree for a moment (docs/deploy.md). A retry
  // soon succeeds, so it is a 503 with Retry-After, not a 500; a password that stays wrong
  // shows as the Api5xx alarm either way.
  '28P01',
]);

/** True when an error is a database outage or a retryable conflict, not a bug or bad data. */
export function isTransientDbError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return TRANSIENT_CODES.has(code) || code.startsWith('08');
}
