/**
 * Stage configuration, read once from CDK context (`cdk.json` or `-c key=value`) and checked
 * before any construct is built: a typo such as `-c stage=production` fails synth instead of
 * quietly deploying dev settings.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import type { RouteAuth } from '../functions/routes';

export type Stage = 'dev' | 'prod';
/** `standard`: what prod runs. `lean` (dev only): the cheapest stack that still works. */
export type Profile = 'standard' | 'lean';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface StageConfig {
  readonly stage: Stage;
  readonly profile: Profile;
  /**
   * Whether the billing sync may reach Flexprice: it then runs in subnets behind a NAT gateway
   * (context `flexprice`, default on; off by default in the lean profile). Off: no NAT, the
   * sync runs in the isolated subnets and charges wait in the outbox.
   */
  readonly flexpriceEgress: boolean;
  /** RDS Proxy in front of PostgreSQL (off in the lean profile: functions connect directly). */
  readonly rdsProxy: boolean;
  /** Price stream capacity: on-demand, or a fixed number of provisioned shards (lean: 1). */
  readonly streamShards: 'on-demand' | number;
  /** Prefix of stack names and of named things (`StockConsultant-dev`). */
  readonly prefix: string;
  /** True in prod: data survives `cdk destroy` (retain/snapshot) and deletion protection is on. */
  readonly retainData: boolean;
  /** RETAIN in prod, DESTROY in dev; used for everything that holds data or logs. */
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  /** `POWERTOOLS_LOG_LEVEL` of every function. */
  readonly logLevel: LogLevel;
  /**
   * Browser origins the HTTP API's CORS allows besides the web app's own CloudFront origin
   * (which is always allowed). Default: the local dev servers in dev, none in prod.
   */
  readonly corsOrigins: readonly string[];
  /** Loopback URLs Cognito may redirect to after sign-in/out (a local web app against dev). */
  readonly localSignInUrls: readonly string[];
  /** Where alarm notifications go; required in prod, no subscription when unset in dev. */
  readonly alarmEmail?: string;
  /** Whether people may sign themselves up (else operators create users). */
  readonly selfSignUp: boolean;
  /**
   * Who may assume the DR operator role that reads the journal back (an IAM account root, role
   * or user ARN; context `drOperatorPrincipalArn`). Unset: no such role.
   */
  readonly drOperatorPrincipalArn?: string;
  /**
   * The identifier of an instance restored by the runbook (context `restoredDatabaseInstance`):
   * the proxy, the functions, the secrets and the alarms then target it instead of the
   * stack's own instance (docs/operations.md "Pointing the stack at a restored instance").
   */
  readonly restoredDatabaseInstance?: string;
  readonly db: {
    readonly instanceType: ec2.InstanceType;
    readonly multiAz: boolean;
    readonly backupRetention: Duration;
    readonly allocatedStorageGb: number;
    readonly maxAllocatedStorageGb: number;
    /** DatabaseConnections alarm threshold: ~80 % of the instance class's max_connections. */
    readonly connectionsAlarmThreshold: number;
    /**
     * RDS Proxy ClientConnections alarm threshold. Each warm Lambda container holds at most
     * `DB_MAX_CONNECTIONS` (2); the threshold is far above the stage's normal concurrency, so
     * crossing it means runaway concurrency or a leak, before the proxy's limits bite.
     */
    readonly proxyClientConnectionsAlarmThreshold: number;
  };
  readonly api: {
    /** Default-stage throttling (steady requests/second and burst). */
    readonly rateLimit: number;
    readonly burstLimit: number;
    /**
     * Lower limits for every route of an authentication kind (functions/routes.ts): `public`
     * (/health: anyone can flood it, and each call probes the database) and `jwt` (keys,
     * settings, admin: clicked by people, never called in bulk). API Gateway counts each limit
     * for all callers of the route together, not per client (docs/deploy.md "Throttling").
     */
    readonly routeLimits: Readonly<Partial<Record<RouteAuth, ThrottleLimits>>>;
  };
}

export interface ThrottleLimits {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Requests API Gateway admits at once above the steady rate. */
  readonly burstLimit: number;
}

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** An IAM principal one may name in a trust policy: an account root, a role or a user. */
const IAM_PRINCIPAL_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;
/** RDS instance identifiers: a letter, then letters, digits and single hyphens, at most 63. */
const RDS_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$/;

/** `npm start` serves the web app here; dev's app client also accepts it as a redirect URL. */
export const LOCAL_SIGN_IN_URL = 'http://127.0.0.1:3000/';
/** dev's default extra CORS origins: `npm start` and Vite's dev server (`npm run web:dev`). */
export const LOCAL_ORIGINS: readonly string[] = ['http://127.0.0.1:3000', 'http://localhost:5173'];

/**
 * Checks `-c corsOrigins`. prod allows the CloudFront origin and only what is named here, never
 * `*`, plain http or a loopback host: a laptop must not be able to call prod with a user's token.
 */
function checkOrigins(origins: string[], prod: boolean): string[] {
  for (const origin of origins) {
    if (origin === '*' && prod) throw new Error('Context "corsOrigins" may not be "*" in prod');
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new Error(
        `Context "corsOrigins": ${JSON.stringify(origin)} is not an origin (scheme://host[:port])`,
      );
    }
    if (
      prod &&
      origin !== '*' &&
      (!origin.startsWith('https://') || /\/\/(localhost|127\.|\[::1\])/.test(origin))
    ) {
      throw new Error(
        `Context "corsOrigins": ${origin} is not allowed in prod (https and a public host only)`,
      );
    }
  }
  return origins;
}

function stringList(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  throw new Error(`Context "${key}" must be a list of strings or a comma-separated string`);
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context "${key}" must be a string`);
  return value;
}

/**
 * A value given for one stage (`-c key=value` on the command line) or for several in cdk.json
 * (`"key": {"prod": "…"}`), where a setting for prod must not reach a dev deploy.
 */
function perStage(value: unknown, stage: Stage): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return (value as Record<string, unknown>)[stage];
  }
  return value;
}

function bool(value: unknown, key: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context "${key}" must be true or false`);
}

function onOff(value: unknown, key: string, fallback: boolean): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  return bool(value, key, fallback);
}

/** Builds the stage configuration from the construct tree's context (normally the App's). */
export function loadStageConfig(node: Node): StageConfig {
  const stage = node.tryGetContext('stage') ?? 'dev';
  if (stage !== 'dev' && stage !== 'prod') {
    throw new Error(`Context "stage" must be "dev" or "prod", got ${JSON.stringify(stage)}`);
  }
  const logLevel = node.tryGetContext('logLevel') ?? (stage === 'prod' ? 'INFO' : 'DEBUG');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`Context "logLevel" must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const prod = stage === 'prod';
  const corsOrigins = checkOrigins(
    node.tryGetContext('corsOrigins') === undefined
      ? prod
        ? []
        : [...LOCAL_ORIGINS]
      : stringList(node.tryGetContext('corsOrigins'), 'corsOrigins'),
    prod,
  );
  const profile = node.tryGetContext('profile') ?? 'standard';
  if (profile !== 'standard' && profile !== 'lean') {
    throw new Error(`Context "profile" must be "standard" or "lean", got ${JSON.stringify(profile)}`);
  }
  if (prod && profile === 'lean')
    throw new Error('Context "profile=lean" is for dev only: prod runs standard');
  const lean = profile === 'lean';
  const alarmEmail = optionalString(node.tryGetContext('alarmEmail'), 'alarmEmail');
  if (prod && !alarmEmail) {
    throw new Error(
      'Context "alarmEmail" is required in prod: alarms that notify nobody are not monitoring (-c alarmEmail=oncall@example.com)',
    );
  }
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`Context "alarmEmail": ${JSON.stringify(alarmEmail)} is not an e-mail address`);
  }
  const drOperatorPrincipalArn = optionalString(
    node.tryGetContext('drOperatorPrincipalArn'),
    'drOperatorPrincipalArn',
  );
  if (drOperatorPrincipalArn !== undefined && !IAM_PRINCIPAL_ARN.test(drOperatorPrincipalArn)) {
    throw new Error(
      `Context "drOperatorPrincipalArn": ${JSON.stringify(drOperatorPrincipalArn)} is not an IAM account root, role or user ARN`,
    );
  }
  const restoredDatabaseInstance = optionalString(
    perStage(node.tryGetContext('restoredDatabaseInstance'), stage),
    'restoredDatabaseInstance',
  );
  // The runbook names the restored instance `stockconsultant-<stage>-restored-<time>`: a value
  // meant for another stage fails here instead of pointing this stage's proxy at that stage's
  // database.
  const ownPrefix = `stockconsultant-${stage}-`;
  if (
    restoredDatabaseInstance !== undefined &&
    !(restoredDatabaseInstance.startsWith(ownPrefix) && RDS_IDENTIFIER.test(restoredDatabaseInstance))
  ) {
    throw new Error(
      `Context "restoredDatabaseInstance": ${JSON.stringify(restoredDatabaseInstance)} is not an RDS instance identifier of this stage (lower case, starting with ${ownPrefix})`,
    );
  }
  return {
    stage,
    profile,
    flexpriceEgress: onOff(node.tryGetContext('flexprice'), 'flexprice', !lean),
    rdsProxy: !lean,
    streamShards: lean ? 1 : 'on-demand',
    prefix: `StockConsultant-${stage}`,
    retainData: prod,
    removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    logRetention: prod ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_WEEK,
    logLevel,
    corsOrigins,
    localSignInUrls: prod ? [] : [LOCAL_SIGN_IN_URL],
    alarmEmail,
    selfSignUp: bool(node.tryGetContext('selfSignUp'), 'selfSignUp', false),
    drOperatorPrincipalArn,
    restoredDatabaseInstance,
    db: prod
      ? {
          // 4 GiB: max_connections ≈ 450; RDS Proxy keeps the real connection count far below.
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
          multiAz: true,
          backupRetention: Duration.days(14),
          allocatedStorageGb: 20,
          maxAllocatedStorageGb: 200,
          connectionsAlarmThreshold: 360,
          proxyClientConnectionsAlarmThreshold: 800,
        }
      : {
          // 1 GiB: max_connections ≈ 110.
          instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
          multiAz: false,
          backupRetention: Duration.days(1),
          allocatedStorageGb: 20,
          maxAllocatedStorageGb: 50,
          connectionsAlarmThreshold: 80,
          proxyClientConnectionsAlarmThreshold: 100,
        },
    // /health: uptime checkers call it about once a minute each; 10/s leaves room for many.
    // JWT-only routes: a person managing keys or settings makes a few calls a minute.
    api: prod
      ? {
          rateLimit: 200,
          burstLimit: 400,
          routeLimits: { public: { rateLimit: 10, burstLimit: 20 }, jwt: { rateLimit: 20, burstLimit: 40 } },
        }
      : {
          rateLimit: 20,
          burstLimit: 40,
          routeLimits: { public: { rateLimit: 5, burstLimit: 10 }, jwt: { rateLimit: 5, burstLimit: 10 } },
        },
  };
}
