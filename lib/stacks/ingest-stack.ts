/**
 * Price ingestion: the Kinesis stream of ticks, the consumer that applies them to PostgreSQL,
 * the on-failure queue, and a role publishers assume to put records.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CONSUMER_FAILURE_PAUSE_ENV } from '../../functions/platform/names';
import type { StageConfig } from '../config';
import { StackAlarms } from '../constructs/alarms';
import { AppFunction, type DatabaseBinding, type FunctionNetwork } from '../constructs/app-function';
import { FeedMonitor } from '../constructs/feed-monitor';
import { MarketData } from '../constructs/market-data';
import { serviceMetric } from '../metrics';
import { acknowledge } from '../nag';
import { functionEntry } from '../paths';
import { THRESHOLDS } from '../thresholds';

export interface IngestStackProps extends StackProps {
  readonly config: StageConfig;
  readonly network: FunctionNetwork;
  readonly database: DatabaseBinding;
  /** The consumer writes tables the migrations create: deploy it after them. */
  readonly schema: Construct;
}

/**
 * Event source mapping settings (see SPEC §7: the defaults retry forever and block the shard).
 *
 * - batchSize 200 / window 1 s: a tick is a few hundred bytes and the consumer applies a batch
 *   in one set-based statement, so bigger batches cost little more than small ones while each
 *   invocation pays a proxy round trip. One second of batching bounds the added price latency;
 *   under load batches fill before the window ends.
 * - maxRecordAge 6 h: bad records never fail a batch (the consumer quarantines them), so a
 *   failing batch means the database is unreachable, and retrying is always right. Six hours
 *   outlasts a failover, a restore or a long incident; the shard waits meanwhile (prices would
 *   not move anyway). A range still failing then goes to the failure queue (metadata only) and
 *   stays in the stream for the 18 h of retention left, which `npm run redrive` uses to apply
 *   it (docs/operations.md).
 * - retryAttempts 10,000 (the maximum), so that the age, not the count, ends the retries:
 *   Lambda retries back to back, so the consumer pauses CONSUMER_FAILURE_PAUSE before reporting
 *   a failure, and 10,000 × 5 s ≈ 13.9 h > 6 h. Bisect on error splits batches on function
 *   errors (a timeout, a crash), which do not count against the attempts.
 * - parallelizationFactor 2: the latest-price rule is order-independent ((ts, sequence)
 *   comparison) and Lambda still keeps each partition key (symbol) in order, so two concurrent
 *   batches per shard halve catch-up time after an outage at the cost of 2 proxy connections.
 */
export const CONSUMER_MAPPING = {
  batchSize: 200,
  maxBatchingWindow: Duration.seconds(1),
  retryAttempts: 10_000,
  maxRecordAge: Duration.hours(6),
  parallelizationFactor: 2,
} as const;

/** How long the consumer waits before reporting a batch it could not apply (see above). */
export const CONSUMER_FAILURE_PAUSE = Duration.seconds(5);

export class IngestStack extends Stack {
  public readonly stream: kinesis.Stream;
  public readonly consumer: AppFunction;
  /** On-failure destination of the consumer's event source mapping (metadata only). */
  public readonly failureQueue: sqs.Queue;
  /** Role publishers (`npm run ticks`, market-data feeds) assume to put records. */
  public readonly producerRole: iam.Role;
  /** Role an operator assumes for `npm run redrive -- --aws`. */
  public readonly redriveRole: iam.Role;
  /** The market-data bucket and its bhavcopy import (docs/market-data.md). */
  public readonly marketData: MarketData;

  constructor(scope: Construct, id: string, props: IngestStackProps) {
    super(scope, id, props);
    const { config } = props;

    // AWS-managed keys (aws/kinesis, aws/sqs): encrypted at rest with KMS, no per-key cost,
    // and producers/consumers need no kms:* grants. A customer-managed key would only add
    // value for cross-account access or key-policy control, which this service does not need.
    this.stream = new kinesis.Stream(this, 'PriceTicks', {
      // On-demand scales by itself; the lean profile's one provisioned shard (1 MB/s in,
      // 1,000 records/s) is plenty for a dev stage and costs a fraction (docs/deploy.md).
      ...(config.streamShards === 'on-demand'
        ? { streamMode: kinesis.StreamMode.ON_DEMAND }
        : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: config.streamShards }),
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: config.removalPolicy,
    });

    this.failureQueue = new sqs.Queue(this, 'ConsumerFailures', {
      encryption: sqs.QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: config.removalPolicy,
    });
    acknowledge(this.failureQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself the dead-letter destination of the Kinesis event source mapping; it has its own depth alarm.',
      },
    ]);

    this.consumer = new AppFunction(this, 'Consumer', {
      entry: functionEntry('consumer'),
      description: 'Applies price ticks from Kinesis to PostgreSQL; quarantines bad records',
      serviceName: 'consumer',
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      logRemovalPolicy: config.removalPolicy,
      memorySize: 512,
      timeout: Duration.seconds(30),
      network: props.network,
      environment: { [CONSUMER_FAILURE_PAUSE_ENV]: String(CONSUMER_FAILURE_PAUSE.toMilliseconds()) },
    }).bindDatabase(props.database);
    this.consumer.node.addDependency(props.schema);

    this.consumer.addEventSource(
      new KinesisEventSource(this.stream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        ...CONSUMER_MAPPING,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(this.failureQueue),
      }),
    );

    this.watch(config);
    const market = { config, network: props.network, database: props.database, schema: props.schema };
    this.marketData = new MarketData(this, 'MarketData', market);
    new FeedMonitor(this, 'FeedMonitor', market);
    new CfnOutput(this, 'MarketDataBucketName', {
      value: this.marketData.bucket.bucketName,
      description: 'aws s3 sync <folder> s3://<this>/bhavcopy/ imports bhavcopy files',
    });

    this.producerRole = new iam.Role(this, 'ProducerRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Assume to publish price ticks (kinesis:PutRecord(s) on the price stream only)',
      maxSessionDuration: Duration.hours(1),
    });
    this.stream.grantWrite(this.producerRole);

    // The redrive reads the failure queue and the stream from outside the VPC and hands the
    // records to the consumer function, the one piece that reaches the database.
    this.redriveRole = new iam.Role(this, 'RedriveRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Assume to run npm run redrive -- --aws (failure queue, stream reads, consumer invoke)',
      maxSessionDuration: Duration.hours(1),
    });
    this.failureQueue.grantConsumeMessages(this.redriveRole);
    this.stream.grantRead(this.redriveRole);
    this.redriveRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.consumer.functionArn] }),
    );

    new CfnOutput(this, 'PriceStreamName', {
      value: this.stream.streamName,
      description: 'PRICE_STREAM_NAME for npm run ticks',
    });
    new CfnOutput(this, 'ProducerRoleArn', {
      value: this.producerRole.roleArn,
      description: 'Role to assume for publishing ticks',
    });
    new CfnOutput(this, 'FailureQueueUrl', {
      value: this.failureQueue.queueUrl,
      description: 'FAILURE_QUEUE_URL for npm run redrive -- --aws',
    });
    new CfnOutput(this, 'ConsumerFunctionName', {
      value: this.consumer.functionName,
      description: 'CONSUMER_FUNCTION_NAME for npm run redrive -- --aws',
    });
    new CfnOutput(this, 'RedriveRoleArn', {
      value: this.redriveRole.roleArn,
      description: 'Role to assume for npm run redrive -- --aws',
    });
  }

  /** Alarms on the consumer (errors and throttles come with every AppFunction). */
  private watch(config: StageConfig): void {
    const alarms = StackAlarms.of(this);
    const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    alarms.add(
      'ConsumerIteratorAge',
      this.consumer.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      {
        alarmDescription: 'Price consumer is falling behind the stream',
        threshold: THRESHOLDS.iteratorAgeMs,
        evaluationPeriods: 3,
        comparisonOperator: GT,
      },
    );
    alarms.add(
      'ConsumerFailureQueueDepth',
      this.failureQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      {
        alarmDescription:
          'Tick ranges were skipped after retries; replay them from the stream (docs/deploy.md)',
        threshold: THRESHOLDS.failureQueueDepth,
      },
    );
    alarms.add('QuarantineGrowth', serviceMetric(config, 'consumer', 'RecordsQuarantined'), {
      alarmDescription: 'Many malformed ticks are being quarantined',
      threshold: THRESHOLDS.quarantinedPer5Min,
    });
    // Database errors come back as batch item failures: Lambda retries them and its Errors
    // metric never counts them, so the consumer's own RecordsFailed is what shows them.
    alarms.add('ConsumerRecordsFailed', serviceMetric(config, 'consumer', 'RecordsFailed'), {
      alarmDescription: 'The consumer could not apply records (database errors); Lambda is retrying them',
      threshold: THRESHOLDS.failedRecordsPer5Min,
    });
  }
}
