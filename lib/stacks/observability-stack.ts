/**
 * Alarms and one dashboard over what the other stacks built. Alarms notify an SNS topic
 * (with an e-mail subscription when `-c alarmEmail=` is given).
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  AUTH_FAILURES_METRIC,
  AUTH_METRICS_SERVICE,
  KEY_REFUSED_METRIC,
} from '../../functions/platform/names';
import type { StageConfig } from '../config';
import { METRICS_NAMESPACE } from '../constructs/app-function';

export interface ObservabilityStackProps extends StackProps {
  readonly config: StageConfig;
  readonly consumer: lambda.IFunction;
  readonly failureQueue: sqs.IQueue;
  readonly httpApi: apigw.IHttpApi;
  /** Every function, by a short display name, for errors/throttles alarms. */
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  readonly database: rds.IDatabaseInstance;
  /** The billing outbox sync, whose backlog gauges get alarms. */
  readonly billingSync: lambda.IFunction;
}

/** Thresholds, each with the reason it is where it is. */
export const THRESHOLDS = {
  /** Ticks are real-time data: 5 minutes behind for 3 minutes means the consumer is stuck. */
  iteratorAgeMs: 5 * 60 * 1000,
  /** Any message means a range of ticks was skipped and needs a replay. */
  failureQueueDepth: 1,
  /** A few bad records happen; 10 in 5 minutes means a producer is sending garbage. */
  quarantinedPer5Min: 10,
  /** Handlers turn expected failures into 4xx; 5 server errors in 5 minutes is an incident. */
  api5xxPer5Min: 5,
  dbCpuPercent: 80,
  /** Any dead-lettered outbox row is a charge Flexprice will not get without an operator. */
  outboxDead: 1,
  /**
   * The sync runs every minute and backs off up to an hour per row; 15 minutes of backlog means
   * Flexprice (or the key, or the egress path) has been failing for several runs.
   */
  outboxOldestPendingAgeSeconds: 900,
  /**
   * 401s counted by the functions (platform/api.ts). Expired tokens happen (clients refresh on
   * 401), but 100 in 5 minutes means a client is stuck on a revoked key, or someone is guessing
   * keys or replaying tokens.
   */
  authFailuresPer5Min: 100,
} as const;

/** An EMF metric of one of our functions (Powertools adds the `service` dimension). */
function serviceMetric(service: string, name: string, statistic: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service },
    statistic,
    period: Duration.minutes(5),
  });
}

/** Authentication failures of every API function, under one dimension (functions/platform/api.ts). */
export const authMetric = (name: string) => serviceMetric(AUTH_METRICS_SERVICE, name, 'Sum');

/** The consumer's metrics (functions/consumer.ts). */
export const consumerMetric = (name: string, statistic = 'Sum') => serviceMetric('consumer', name, statistic);

/** The billing sync's metrics (functions/billing-sync.ts). */
export const billingSyncMetric = (name: string, statistic = 'Maximum') =>
  serviceMetric('billing-sync', name, statistic);

export class ObservabilityStack extends Stack {
  public readonly topic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;

    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Stock Consultant alarm topic',
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch publishes to an encrypted topic only if it may use the key.
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: `${config.prefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));

    const alarm = (name: string, metric: cloudwatch.Metric, opts: Partial<cloudwatch.CreateAlarmOptions>) => {
      const a = metric.createAlarm(this, name, {
        alarmName: `${config.prefix}-${name}`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...opts,
      });
      a.addAlarmAction(new SnsAction(this.topic));
      a.addOkAction(new SnsAction(this.topic));
      this.alarms.push(a);
      return a;
    };

    const iteratorAge = props.consumer.metric('IteratorAge', {
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    alarm('ConsumerIteratorAge', iteratorAge, {
      alarmDescription: 'Price consumer is falling behind the stream',
      threshold: THRESHOLDS.iteratorAgeMs,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    const failureDepth = props.failureQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    alarm('ConsumerFailureQueueDepth', failureDepth, {
      alarmDescription:
        'Tick ranges were skipped after retries; replay them from the stream (docs/deploy.md)',
      threshold: THRESHOLDS.failureQueueDepth,
    });

    const quarantined = consumerMetric('RecordsQuarantined');
    alarm('QuarantineGrowth', quarantined, {
      alarmDescription: 'Many malformed ticks are being quarantined',
      threshold: THRESHOLDS.quarantinedPer5Min,
    });

    const api5xx = props.httpApi.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) });
    alarm('Api5xx', api5xx, {
      alarmDescription: 'HTTP API server errors',
      threshold: THRESHOLDS.api5xxPer5Min,
    });

    const authFailures = authMetric(AUTH_FAILURES_METRIC);
    alarm('AuthenticationFailures', authFailures, {
      alarmDescription:
        'Many requests with a missing, expired, unknown or revoked credential (a stuck client, or key guessing)',
      threshold: THRESHOLDS.authFailuresPer5Min,
    });

    const outboxDead = billingSyncMetric('OutboxDead');
    alarm('OutboxDead', outboxDead, {
      alarmDescription:
        'Billing outbox rows were dead-lettered: requeue them after fixing the cause (docs/billing.md)',
      threshold: THRESHOLDS.outboxDead,
    });
    const outboxAge = billingSyncMetric('OutboxOldestPendingAgeSeconds');
    alarm('OutboxAge', outboxAge, {
      alarmDescription:
        'Charges are waiting to reach Flexprice: is it down, or the key unset? (docs/billing.md)',
      threshold: THRESHOLDS.outboxOldestPendingAgeSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    for (const [name, fn] of props.functions) {
      alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5) }), {
        alarmDescription: `${name}: unhandled errors`,
      });
      alarm(`${name}Throttles`, fn.metricThrottles({ period: Duration.minutes(5) }), {
        alarmDescription: `${name}: throttled invocations`,
      });
    }

    const dbCpu = props.database.metricCPUUtilization({ period: Duration.minutes(5) });
    alarm('DatabaseCpu', dbCpu, {
      alarmDescription: 'PostgreSQL CPU high for 15 minutes',
      threshold: THRESHOLDS.dbCpuPercent,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    const dbConnections = props.database.metricDatabaseConnections({
      statistic: 'Maximum',
      period: Duration.minutes(5),
    });
    alarm('DatabaseConnections', dbConnections, {
      alarmDescription: 'PostgreSQL connections near max_connections (is RDS Proxy pinning?)',
      threshold: config.db.connectionsAlarmThreshold,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${config.prefix}`,
      defaultInterval: Duration.hours(3),
    });
    const fns = [...props.functions.entries()];
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [
          props.httpApi.metricCount({ statistic: 'Sum', period: Duration.minutes(1) }),
          props.httpApi.metricClientError({ statistic: 'Sum', period: Duration.minutes(1) }),
          props.httpApi.metricServerError({ statistic: 'Sum', period: Duration.minutes(1) }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency',
        left: [
          props.httpApi.metricLatency({ statistic: 'p50', period: Duration.minutes(1) }),
          props.httpApi.metricLatency({ statistic: 'p99', period: Duration.minutes(1) }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Authentication: failures (401) / API keys refused (403)',
        left: [authFailures, authMetric(KEY_REFUSED_METRIC)],
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Consumer records',
        left: ['RecordsApplied', 'RecordsQuarantined', 'RecordsFailed'].map((m) => consumerMetric(m)),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Freshness',
        left: [iteratorAge],
        right: [consumerMetric('NewestTickAgeMs', 'Maximum')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({ title: 'Failure queue depth', left: [failureDepth], width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        left: fns.map(([name, fn]) => fn.metricErrors({ label: name, period: Duration.minutes(5) })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function throttles',
        left: fns.map(([name, fn]) => fn.metricThrottles({ label: name, period: Duration.minutes(5) })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p99',
        left: fns.map(([name, fn]) =>
          fn.metricDuration({ label: name, statistic: 'p99', period: Duration.minutes(5) }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Billing outbox: sent / failed attempts',
        left: ['OutboxSent', 'OutboxFailed'].map((m) => billingSyncMetric(m, 'Sum')),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Billing outbox: dead rows / oldest pending (s)',
        left: [outboxDead],
        right: [outboxAge],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Database CPU %', left: [dbCpu], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Database connections', left: [dbConnections], width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Database free storage',
        left: [props.database.metricFreeStorageSpace({ period: Duration.minutes(5) })],
        width: 8,
      }),
    );
  }
}
