/**
 * Configuration, read from the environment once per container and checked with zod.
 * Each section is parsed on first use and cached; a missing or malformed value throws a
 * ConfigError naming the variable, so a misconfigured function fails at cold start, loudly.
 * This file holds the helpers and the platform's sections (database, auth); each domain keeps
 * its own sections beside its code (market/config.ts, analysis/config.ts, billing/config.ts).
 */
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

export function parse<T extends z.ZodType>(schema: T, env: Env, section: string): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid ${section} configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Memoize a section parser so the environment is read once per container. */
export function section<T>(read: (env: Env) => T): { (env?: Env): T; reset(): void } {
  let cached: { value: T } | undefined;
  const get = (env: Env = process.env) => {
    cached ??= { value: read(env) };
    return cached.value;
  };
  get.reset = () => {
    cached = undefined;
  };
  return get;
}

export const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Bounds on every database call, so that a stalled or unreachable server is a prompt 503 and
 * not a hung function (docs/api.md, "Outages and retries"). All in milliseconds. The two
 * server-side bounds are defaults of the application role, not connection options (RDS Proxy
 * refuses them in the startup message): the migration step writes them with
 * `configureAppRole`, so a function's own values of them are not read.
 */
export interface DbTimeouts {
  /** Opening a connection (TCP + startup); postgres.js gives up after it. */
  connectMs: number;
  /** Server side: PostgreSQL cancels (and rolls back) a statement running longer. */
  statementMs: number;
  /** Server side: PostgreSQL ends a session left idle inside a transaction this long. */
  idleInTransactionMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = {
  connectMs: 3000,
  statementMs: 5000,
  idleInTransactionMs: 10_000,
};

/** `DB_*_TIMEOUT_MS`, not memoized: also read by the local migration step (local/stack.ts). */
export function readDbTimeouts(env: Env): DbTimeouts {
  const v = parse(
    z.object({
      DB_CONNECT_TIMEOUT_MS: positiveInt(DEFAULT_DB_TIMEOUTS.connectMs),
      DB_STATEMENT_TIMEOUT_MS: positiveInt(DEFAULT_DB_TIMEOUTS.statementMs),
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: positiveInt(DEFAULT_DB_TIMEOUTS.idleInTransactionMs),
    }),
    env,
    'database',
  );
  return {
    connectMs: v.DB_CONNECT_TIMEOUT_MS,
    statementMs: v.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionMs: v.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

export type DbConfig = (
  | { kind: 'url'; url: string; maxConnections: number; prepare: boolean; ssl: boolean }
  | {
      kind: 'secret';
      secretArn: string;
      host: string;
      port: number;
      database: string;
      maxConnections: number;
      prepare: boolean;
      /** Always true from the environment; false only where a test server has no TLS. */
      ssl: boolean;
    }
) & { timeouts?: DbTimeouts };

/**
 * Database: where this function connects, as whom. Locally `DATABASE_URL` (npm start and the
 * tests point it at the RDS Proxy stand-in, as the application role); in AWS `DB_SECRET_ARN`
 * (the secret this function connects with: the application role's, or the master's for the
 * migration function alone) plus `DB_HOST` (the RDS Proxy endpoint). Named prepared statements
 * pin RDS Proxy sessions, so `DB_PREPARE` defaults to false everywhere (locally too, where the
 * stand-in counts pins). `DB_*_TIMEOUT_MS` bound every call (DbTimeouts).
 */
export const dbConfig = section((env): DbConfig => {
  const v = parse(
    z.object({
      DATABASE_URL: optionalString,
      DB_SECRET_ARN: optionalString,
      DB_HOST: optionalString,
      DB_PORT: positiveInt(5432),
      DB_NAME: z.string().trim().min(1).default('stocks'),
      DB_MAX_CONNECTIONS: positiveInt(2),
      DB_PREPARE: z.enum(['true', 'false']).optional(),
      DB_SSL: z.enum(['true', 'false']).optional(),
    }),
    env,
    'database',
  );
  const timeouts = readDbTimeouts(env);
  if (v.DATABASE_URL) {
    return {
      timeouts,
      kind: 'url',
      url: v.DATABASE_URL,
      maxConnections: v.DB_MAX_CONNECTIONS,
      prepare: v.DB_PREPARE === 'true',
      ssl: v.DB_SSL === 'true',
    };
  }
  if (v.DB_SECRET_ARN && v.DB_HOST) {
    return {
      timeouts,
      kind: 'secret',
      secretArn: v.DB_SECRET_ARN,
      host: v.DB_HOST,
      port: v.DB_PORT,
      database: v.DB_NAME,
      maxConnections: v.DB_MAX_CONNECTIONS,
      prepare: v.DB_PREPARE === 'true',
      ssl: true,
    };
  }
  throw new ConfigError('Invalid database configuration: set DATABASE_URL, or DB_SECRET_ARN and DB_HOST');
});

export type AuthConfig =
  | { kind: 'cognito'; userPoolId: string; clientId: string; jwks?: unknown }
  | { kind: 'local'; issuer: string; clientId: string; jwks: unknown };

/**
 * Token verification: a Cognito user pool in AWS (`COGNITO_USER_POOL_ID`, `COGNITO_CLIENT_ID`,
 * optionally `COGNITO_JWKS` handed over at deploy so functions in isolated subnets never fetch
 * it), or the local issuer (`LOCAL_JWT_ISSUER`, `LOCAL_JWKS` as JSON, `LOCAL_JWT_CLIENT_ID`).
 */
export const authConfig = section((env): AuthConfig => {
  const v = parse(
    z.object({
      COGNITO_USER_POOL_ID: optionalString,
      COGNITO_CLIENT_ID: optionalString,
      COGNITO_JWKS: optionalString,
      LOCAL_JWT_ISSUER: optionalString,
      LOCAL_JWT_CLIENT_ID: optionalString,
      LOCAL_JWKS: optionalString,
    }),
    env,
    'auth',
  );
  const json = (name: string, text: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ConfigError(`Invalid auth configuration: ${name} is not JSON`);
    }
  };
  if (v.COGNITO_USER_POOL_ID && v.COGNITO_CLIENT_ID) {
    return {
      kind: 'cognito',
      userPoolId: v.COGNITO_USER_POOL_ID,
      clientId: v.COGNITO_CLIENT_ID,
      jwks: v.COGNITO_JWKS ? json('COGNITO_JWKS', v.COGNITO_JWKS) : undefined,
    };
  }
  if (v.LOCAL_JWT_ISSUER && v.LOCAL_JWT_CLIENT_ID && v.LOCAL_JWKS) {
    return {
      kind: 'local',
      issuer: v.LOCAL_JWT_ISSUER,
      clientId: v.LOCAL_JWT_CLIENT_ID,
      jwks: json('LOCAL_JWKS', v.LOCAL_JWKS),
    };
  }
  throw new ConfigError(
    'Invalid auth configuration: set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID, or LOCAL_JWT_ISSUER, LOCAL_JWT_CLIENT_ID and LOCAL_JWKS',
  );
});
