/**
 * Configuration, read from the environment once per container and checked with zod.
 * Each section is parsed on first use and cached; a missing or malformed value throws a
 * ConfigError naming the variable, so a misconfigured function fails at cold start, loudly.
 */
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function parse<T extends z.ZodType>(schema: T, env: Env, section: string): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`Invalid ${section} configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Memoize a section parser so the environment is read once per container. */
function section<T>(read: (env: Env) => T): { (env?: Env): T; reset(): void } {
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

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export type DbConfig =
  | { kind: 'url'; url: string; maxConnections: number; prepare: boolean; ssl: boolean }
  | {
      kind: 'secret';
      secretArn: string;
      host: string;
      port: number;
      database: string;
      maxConnections: number;
      prepare: boolean;
      ssl: true;
    };

/**
 * Database: `DATABASE_URL` locally; in AWS `DB_SECRET_ARN` (the RDS-generated secret) plus
 * `DB_HOST` (the RDS Proxy endpoint). Behind RDS Proxy prepared statements pin sessions,
 * so `DB_PREPARE` defaults to false there.
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
  if (v.DATABASE_URL) {
    return {
      kind: 'url',
      url: v.DATABASE_URL,
      maxConnections: v.DB_MAX_CONNECTIONS,
      prepare: v.DB_PREPARE !== 'false',
      ssl: v.DB_SSL === 'true',
    };
  }
  if (v.DB_SECRET_ARN && v.DB_HOST) {
    return {
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

/** Ingestion: how far in the future a tick's `ts` may be before it is rejected. */
export const ingestConfig = section((env) => {
  const v = parse(z.object({ MAX_TICK_FUTURE_SECONDS: positiveInt(300) }), env, 'ingestion');
  return { maxFutureMs: v.MAX_TICK_FUTURE_SECONDS * 1000 };
});

/** A decimal written as text ("0.50", "-5"), kept as text so it can be compared exactly. */
const decimalText = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^-?\d{1,6}(\.\d{1,6})?$/, 'must be a plain decimal such as 0.50')
    .default(fallback);

export interface AdviceThresholds {
  /** Weights as exact decimal text, compared as rationals against exact paise ratios. */
  concentrationWeight: string;
  underweightWeight: string;
  /** Percent and fraction thresholds, compared with the stored float8 values. */
  sharpDropPct: number;
  strongGrowthPct: number;
  highVolatility: number;
  momentumPct: number;
  minSectors: number;
}

/**
 * Advice rule set v1 thresholds (SPEC §3 defaults). Weights stay decimal text so that
 * "weight > 0.50" is decided on exact paise, never on a rounded float.
 */
export const adviceConfig = section((env): AdviceThresholds => {
  const v = parse(
    z.object({
      ADVICE_CONCENTRATION_WEIGHT: decimalText('0.50'),
      ADVICE_UNDERWEIGHT_WEIGHT: decimalText('0.05'),
      ADVICE_SHARP_DROP_PCT: decimalText('-5'),
      ADVICE_STRONG_GROWTH_PCT: decimalText('5'),
      ADVICE_HIGH_VOLATILITY: decimalText('0.04'),
      ADVICE_MOMENTUM_PCT: decimalText('2'),
      ADVICE_MIN_SECTORS: positiveInt(2),
    }),
    env,
    'advice',
  );
  return {
    concentrationWeight: v.ADVICE_CONCENTRATION_WEIGHT,
    underweightWeight: v.ADVICE_UNDERWEIGHT_WEIGHT,
    sharpDropPct: Number(v.ADVICE_SHARP_DROP_PCT),
    strongGrowthPct: Number(v.ADVICE_STRONG_GROWTH_PCT),
    highVolatility: Number(v.ADVICE_HIGH_VOLATILITY),
    momentumPct: Number(v.ADVICE_MOMENTUM_PCT),
    minSectors: v.ADVICE_MIN_SECTORS,
  };
});

/** Money in configuration: rupees as decimal text with at most two decimals ("5.00"). */
const rupeesText = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,7}(\.\d{1,2})?$/, 'must be rupees with at most two decimals, e.g. 5.00')
    .default(fallback);

/**
 * The price list (SPEC §3): `PRICE_PORTFOLIO_ANALYSIS_INR` per analysis and
 * `PRICE_ADVICE_ITEM_INR` per advice item, as decimal rupees. Each charge snapshots the unit
 * price it used, so changing these never changes a past bill.
 */
export const priceListConfig = section((env) => {
  const v = parse(
    z.object({
      PRICE_PORTFOLIO_ANALYSIS_INR: rupeesText('5.00'),
      PRICE_ADVICE_ITEM_INR: rupeesText('2.00'),
    }),
    env,
    'price list',
  );
  return { portfolioAnalysis: v.PRICE_PORTFOLIO_ANALYSIS_INR, adviceItem: v.PRICE_ADVICE_ITEM_INR };
});

/** Flexprice's hosted API (the SDK README's server URL); `/v1` included, as the SDK expects. */
export const FLEXPRICE_DEFAULT_API_URL = 'https://us.api.flexprice.io/v1';

/** Where the Flexprice API key comes from: the environment (local) or Secrets Manager (AWS). */
export type FlexpriceKeySource = { kind: 'value'; value: string } | { kind: 'secret'; secretArn: string };

export type FlexpriceConfig =
  | { enabled: false }
  | {
      enabled: true;
      apiUrl: string;
      key: FlexpriceKeySource;
      /** Outbox rows claimed and sent per request (Flexprice's bulk endpoint takes ≤ 1,000). */
      batchSize: number;
      /** Attempts before a row is dead-lettered. */
      maxAttempts: number;
      /** Per-request timeout; a timeout counts as a failed attempt and is retried later. */
      timeoutMs: number;
      /** Backoff between attempts: base × 2^(attempt-1), capped, with full jitter. */
      backoffBaseMs: number;
      backoffMaxMs: number;
      /** How long a claim holds a row; a crashed run's rows become due again after it. */
      leaseMs: number;
    };

/**
 * Billing-provider sync (issue 5). Off unless a key is configured: `FLEXPRICE_API_KEY` (local)
 * or `FLEXPRICE_API_KEY_SECRET_ARN` (AWS; the secret's value is the bare key, read once per
 * container). `FLEXPRICE_API_URL` is the base URL including `/v1`.
 */
export const flexpriceConfig = section((env): FlexpriceConfig => {
  const v = parse(
    z.object({
      FLEXPRICE_API_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
      FLEXPRICE_API_KEY: optionalString,
      FLEXPRICE_API_KEY_SECRET_ARN: optionalString,
      FLEXPRICE_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
      FLEXPRICE_MAX_ATTEMPTS: positiveInt(24),
      FLEXPRICE_TIMEOUT_MS: positiveInt(10_000),
      FLEXPRICE_BACKOFF_BASE_MS: positiveInt(30_000),
      FLEXPRICE_BACKOFF_MAX_MS: positiveInt(3_600_000),
      FLEXPRICE_LEASE_MS: positiveInt(120_000),
    }),
    env,
    'Flexprice',
  );
  const key: FlexpriceKeySource | undefined = v.FLEXPRICE_API_KEY
    ? { kind: 'value', value: v.FLEXPRICE_API_KEY }
    : v.FLEXPRICE_API_KEY_SECRET_ARN
      ? { kind: 'secret', secretArn: v.FLEXPRICE_API_KEY_SECRET_ARN }
      : undefined;
  if (!key) return { enabled: false };
  return {
    enabled: true,
    apiUrl: (v.FLEXPRICE_API_URL ?? FLEXPRICE_DEFAULT_API_URL).replace(/\/+$/, ''),
    key,
    batchSize: v.FLEXPRICE_BATCH_SIZE,
    maxAttempts: v.FLEXPRICE_MAX_ATTEMPTS,
    timeoutMs: v.FLEXPRICE_TIMEOUT_MS,
    backoffBaseMs: v.FLEXPRICE_BACKOFF_BASE_MS,
    backoffMaxMs: v.FLEXPRICE_BACKOFF_MAX_MS,
    leaseMs: v.FLEXPRICE_LEASE_MS,
  };
});
