/**
 * The market-data bucket and its importer (issue 17 item 3, SPEC §11 "Official bars"). An
 * upload of a bhavcopy (`.csv` or `.zip` under `bhavcopy/`) notifies a queue; the queue feeds
 * functions/bhavcopy-import.ts one file at a time, at most two at once; a file that fails 3
 * times goes to the failure queue, which alarms. How to load a year of files:
 * docs/market-data.md ("Market data in AWS").
 *
 * Why S3 → SQS → Lambda rather than S3 invoking Lambda directly: `aws s3 sync` of a year is 250
 * uploads in a minute. Invoked directly that is 250 concurrent functions, each opening database
 * connections (the lean profile has no proxy in between); capping it with reserved concurrency
 * turns the surplus into throttles. The queue holds the backlog instead, the event source
 * mapping's maximum concurrency keeps the database load at two imports, and retries are a
 * bounded receive count with a dead-letter queue.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  BHAVCOPY_DEFAULT_MAX_BYTES,
  BHAVCOPY_IMPORT_SERVICE,
} from '../../functions/market/feed-health-names';
import type { StageConfig } from '../config';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from '../nag';
import { functionEntry } from '../paths';
import { StackAlarms } from './alarms';
import { AppFunction, type DatabaseBinding, type FunctionNetwork } from './app-function';

/** Where bhavcopy files go in the bucket; only these keys trigger an import. */
export const BHAVCOPY_PREFIX = 'bhavcopy/';
/** Receives before a file is given up on and moved to the failure queue. */
export const BHAVCOPY_MAX_RECEIVES = 3;
/** Imports running at once (2 is the event source mapping's minimum). */
export const BHAVCOPY_CONCURRENCY = 2;
/** One file: read ≤ 20 MB and import ~2,500 rows; a minute is ample. */
const BHAVCOPY_TIMEOUT = Duration.minutes(1);

export interface MarketDataProps {
  readonly config: StageConfig;
  readonly network: FunctionNetwork;
  readonly database: DatabaseBinding;
  /** The import writes tables the migrations create: deploy it after them. */
  readonly schema: Construct;
}

export class MarketData extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly importFunction: AppFunction;
  /** Upload notifications waiting to be imported. */
  public readonly uploads: sqs.Queue;
  /** Notifications of files that failed BHAVCOPY_MAX_RECEIVES times (alarmed). */
  public readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: MarketDataProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    const lifetime = { removalPolicy: config.removalPolicy, autoDeleteObjects: config.stage === 'dev' };

    const logs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(config.stage === 'dev' ? 14 : 365) }],
      ...lifetime,
    });
    acknowledge(logs, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it into itself would loop.' },
    ]);

    // SSE-S3, not KMS: the files are the exchange's public end-of-day data, so a customer key
    // protects no secret, while it would cost a key a month, a kms:Decrypt grant for the
    // importer and KMS calls per object. Private, versioned (an overwritten or deleted upload
    // can be recovered for 30 days), TLS only, every public access blocked.
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(30) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      ...lifetime,
    });

    // SQS-managed encryption: S3 cannot send notifications to a queue under the AWS-managed
    // aws/sqs key (its key policy cannot admit S3), and the messages hold object keys only.
    this.failures = new sqs.Queue(this, 'ImportFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });
    acknowledge(this.failures, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the bhavcopy uploads; it is alarmed.',
      },
    ]);
    this.uploads = new sqs.Queue(this, 'Uploads', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's guidance: at least 6 × the function's timeout, so a retry never overlaps.
      visibilityTimeout: BHAVCOPY_TIMEOUT.plus(BHAVCOPY_TIMEOUT).plus(Duration.minutes(4)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.failures, maxReceiveCount: BHAVCOPY_MAX_RECEIVES },
      removalPolicy: config.removalPolicy,
    });
    for (const suffix of ['.csv', '.zip']) {
      this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.uploads), {
        prefix: BHAVCOPY_PREFIX,
        suffix,
      });
    }

    // Isolated subnets reach S3 only through the VPC's gateway endpoint (Data stack); this
    // group adds HTTPS egress, which there leads nowhere else.
    const s3Egress = new ec2.SecurityGroup(this, 'S3Egress', {
      vpc: props.network.vpc,
      description:
        'Bhavcopy import: HTTPS to S3 through the gateway endpoint (isolated subnets have no other route)',
      allowAllOutbound: false,
    });
    s3Egress.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'S3 via the gateway endpoint');

    this.importFunction = new AppFunction(this, 'Import', {
      entry: functionEntry('bhavcopy-import'),
      description: 'Imports NSE bhavcopy files uploaded to the market-data bucket',
      serviceName: BHAVCOPY_IMPORT_SERVICE,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      logRemovalPolicy: config.removalPolicy,
      // A 20 MB zip unpacks in memory next to its rows.
      memorySize: 1024,
      timeout: BHAVCOPY_TIMEOUT,
      network: props.network,
      extraSecurityGroups: [s3Egress],
      environment: {
        MARKET_DATA_BUCKET: this.bucket.bucketName,
        BHAVCOPY_MAX_BYTES: String(BHAVCOPY_DEFAULT_MAX_BYTES),
      },
    }).bindDatabase(props.database);
    this.importFunction.node.addDependency(props.schema);
    // Read only, and only the bhavcopy prefix.
    this.bucket.grantRead(this.importFunction, `${BHAVCOPY_PREFIX}*`);
    this.importFunction.addEventSource(
      new SqsEventSource(this.uploads, {
        batchSize: 1,
        maxConcurrency: BHAVCOPY_CONCURRENCY,
        reportBatchItemFailures: true,
      }),
    );
    acknowledge(this.importFunction, [
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason:
          'grantRead: GetObject and its version/ACL variants, on the bhavcopy prefix of one bucket only.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        reason: 'grantRead: bucket metadata reads of the one market-data bucket.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:List*]',
        reason: 'grantRead: listing the one market-data bucket.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/${BHAVCOPY_PREFIX}*]`,
        reason: 'Objects under the bhavcopy prefix: the files to import, whatever their names.',
      },
    ]);
    // CDK's own function that writes the bucket's notification configuration at deploy time.
    for (const child of stack.node.children.filter((c) =>
      c.node.id.startsWith('BucketNotificationsHandler'),
    )) {
      acknowledge(child, [
        {
          id: LAMBDA_BASIC_EXECUTION,
          reason: 'CDK-provided deploy-time handler: AWS-managed minimum to write its logs.',
        },
      ]);
    }

    StackAlarms.of(this).add(
      'BhavcopyImportFailures',
      this.failures.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      {
        alarmDescription:
          'A bhavcopy file failed to import 3 times; see the queue message and docs/market-data.md',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      },
    );
  }
}
