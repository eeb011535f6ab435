/**
 * The one place that holds this project's Lambda defaults. Every function (API routes, the
 * stream consumer, the migration runner, the JWKS fetcher) is an AppFunction, so runtime,
 * architecture, bundling, logging and Powertools settings cannot drift between them.
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  type ICommandHooks,
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
/** CloudWatch namespace of the functions' EMF metrics (Powertools Metrics). */
import { METRICS_NAMESPACE } from '../../functions/platform/names';
import { acknowledge, LAMBDA_BASIC_EXECUTION, LAMBDA_VPC_EXECUTION } from '../nag';
import { LOCK_FILE, REPO_ROOT } from '../paths';
import { ISOLATED_SUBNETS } from '../subnets';

export { METRICS_NAMESPACE };

/**
 * nodejs24.x: the current LTS on Lambda. nodejs22.x reaches end of support in 2027, and
 * esbuild's `target` follows the runtime so no syntax is lowered needlessly.
 */
const RUNTIME = lambda.Runtime.NODEJS_24_X;
const ESBUILD_TARGET = 'node24';

/**
 * ESM bundles that contain CommonJS dependencies call `require` for Node built-ins; in an ES
 * module there is none, and esbuild's shim throws "Dynamic require of X is not supported".
 * Defining `require` from `createRequire` at the top of the bundle makes the shim use it.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** What a function needs to reach the database: where to connect, and as whom. */
export interface DatabaseBinding {
  /** The secret the function connects with (DB_SECRET_ARN): the app role's, or the master's. */
  readonly secret: secretsmanager.ISecret;
  /**
   * RDS Proxy endpoint (the instance in the lean profile), for functions in the stack that
   * owns the database. Functions in other stacks read `hostParameterName` instead.
   */
  readonly host: string;
  /** SSM parameter holding `host`, resolved at deploy time by the stacks that need it. */
  readonly hostParameterName: string;
  /**
   * The migration runner's only: the app role's secret, whose password it sets
   * (APP_DB_SECRET_ARN). @default none
   */
  readonly appSecret?: secretsmanager.ISecret;
  readonly port: number;
  readonly databaseName: string;
  /** CA bundle Node must add to verify the server (NODE_EXTRA_CA_CERTS). @default none */
  readonly extraCaCerts?: string;
}

/** What a function needs to verify Cognito access tokens without network access. */
export interface AuthBinding {
  readonly userPoolId: string;
  readonly clientId: string;
  /** The user pool's JWKS as JSON, fetched at deploy time (see constructs/auth.ts). */
  readonly jwks: string;
}

/** Network placement: isolated subnets, one security group that the proxy and endpoints admit. */
export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
}

export interface AppFunctionProps {
  /** Absolute path of the handler module (see `functionEntry`); it exports `handler`. */
  readonly entry: string;
  /** `POWERTOOLS_SERVICE_NAME`: the `service` dimension of logs and metrics. */
  readonly serviceName: string;
  /** `POWERTOOLS_LOG_LEVEL`. */
  readonly logLevel: string;
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the function's log group. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Extra environment; merged over the defaults, never dropped. */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default - not in a VPC (only for functions that must reach public AWS endpoints) */
  readonly network?: FunctionNetwork;
  /**
   * Subnets within `network`. Only a function that must call a third party on the internet
   * (the billing sync → Flexprice) uses EGRESS_SUBNETS.
   * @default ISOLATED_SUBNETS
   */
  readonly subnets?: ec2.SubnetSelection;
  /** Security groups added to the network's one (e.g. HTTPS egress). @default none */
  readonly extraSecurityGroups?: readonly ec2.ISecurityGroup[];
  /** esbuild hooks, e.g. to copy files next to the bundle. */
  readonly commandHooks?: ICommandHooks;
  readonly description?: string;
}

export class AppFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: LOCK_FILE,
      ...(props.network && {
        vpc: props.network.vpc,
        vpcSubnets: props.subnets ?? ISOLATED_SUBNETS,
        securityGroups: [props.network.securityGroup, ...(props.extraSecurityGroups ?? [])],
      }),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: ESBUILD_TARGET,
        // Prefer packages' ESM builds: they tree-shake; CJS builds are kept whole.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        // The .map is for stack traces, not for reading source in the console: keep it small.
        sourcesContent: false,
        // Bundle everything, AWS SDK v3 included: the deployed code is the exact SDK version
        // the tests ran against (the runtime's copy changes without notice), and a tree-shaken,
        // minified client loads faster than the runtime's full one. bench/bundles.ts checks
        // the result stays under 1 MB and 150 ms init.
        externalModules: [],
        commandHooks: props.commandHooks,
      },
    });

    const managed =
      'AWS-managed minimum for a Lambda role: write its own logs (and manage VPC ENIs when in a VPC).';
    acknowledge(this, [
      { id: LAMBDA_BASIC_EXECUTION, reason: managed },
      ...(props.network ? [{ id: LAMBDA_VPC_EXECUTION, reason: managed }] : []),
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
      },
    ]);
  }

  /**
   * Lets the function reach PostgreSQL through RDS Proxy: read access to the binding's secret
   * (and to no other) and the `DB_*` variables `functions/platform/config.ts` reads. Prepared
   * statements are off because the proxy pins a session for each one.
   */
  bindDatabase(db: DatabaseBinding): this {
    db.secret.grantRead(this);
    if (db.appSecret) {
      db.appSecret.grantRead(this);
      this.addEnvironment('APP_DB_SECRET_ARN', db.appSecret.secretArn);
    }
    // In another stack than the database: the host through SSM, not an export (the proxy's
    // endpoint disappears when a stage switches to the lean profile).
    const host =
      Stack.of(this) === Stack.of(db.secret)
        ? db.host
        : ssm.StringParameter.valueForStringParameter(this, db.hostParameterName);
    this.addEnvironment('DB_SECRET_ARN', db.secret.secretArn)
      .addEnvironment('DB_HOST', host)
      .addEnvironment('DB_PORT', String(db.port))
      .addEnvironment('DB_NAME', db.databaseName)
      .addEnvironment('DB_PREPARE', 'false');
    if (db.extraCaCerts) this.addEnvironment('NODE_EXTRA_CA_CERTS', db.extraCaCerts);
    return this;
  }

  /** Hands the user pool, app client and JWKS to in-function token verification. */
  bindAuth(auth: AuthBinding): this {
    this.addEnvironment('COGNITO_USER_POOL_ID', auth.userPoolId)
      .addEnvironment('COGNITO_CLIENT_ID', auth.clientId)
      .addEnvironment('COGNITO_JWKS', auth.jwks);
    return this;
  }
}
