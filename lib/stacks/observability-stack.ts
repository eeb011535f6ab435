/**
 * The stage's dashboard. Alarms are not here: each stack owns the alarms on what it runs
 * (lib/constructs/alarms.ts), so this stack never imports a function's name and removing or
 * renaming a route never fails on an export in use. Function graphs find the functions with
 * CloudWatch search expressions on the stack names their generated names start with; the
 * alarm widget lists alarms by name (plain strings, known at synth).
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  AUTH_FAILURES_METRIC,
  AUTH_METRICS_SERVICE,
  KEY_REFUSED_METRIC,
} from '../../functions/platform/names';
import type { StageConfig } from '../config';
import { proxyMetric } from '../constructs/database-alarms';
import { serviceMetric } from '../metrics';

export interface ObservabilityStackProps extends StackProps {
  readonly config: StageConfig;
  /** Names of every alarm of the stage (StackAlarms.alarmNames of each stack). */
  readonly alarmNames: readonly string[];
  /** Stacks whose functions the graphs show (functions' names start with the stack name). */
  readonly functionStackNames: readonly string[];
  readonly httpApi: apigw.IHttpApi;
  readonly failureQueue: sqs.IQueue;
  readonly database: rds.IDatabaseInstance;
  /** @default - no proxy graphs (the lean profile has no proxy) */
  readonly proxyName?: string;
}

/** One line per function of the given stacks, for a Lambda metric. */
function lambdaSearch(stackNames: readonly string[], metric: string, statistic: string): cloudwatch.IMetric {
  // Partial match on FunctionName: CloudFormation names a function `<stack>-<id>-<suffix>`.
  const names = stackNames.map((s) => `FunctionName=${s}`).join(' OR ');
  return new cloudwatch.SearchExpression({
    expression: `SEARCH('{AWS/Lambda,FunctionName} MetricName="${metric}" (${names})', '${statistic}', 300)`,
    label: '',
    period: Duration.minutes(5),
  });
}

export class ObservabilityStack extends Stack {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const minute = Duration.minutes(1);
    const consumer = (name: string, statistic = 'Sum') => serviceMetric(config, 'consumer', name, statistic);
    const sync = (name: string, statistic = 'Maximum') =>
      serviceMetric(config, 'billing-sync', name, statistic);
    const fnStacks = props.functionStackNames;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: config.prefix,
      defaultInterval: Duration.hours(3),
    });
    // By name: an ARN built here, not imported from the stack that owns the alarm.
    const alarms = props.alarmNames.map((name) =>
      cloudwatch.Alarm.fromAlarmName(this, `Alarm-${name}`, name),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 6 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [
          props.httpApi.metricCount({ statistic: 'Sum', period: minute }),
          props.httpApi.metricClientError({ statistic: 'Sum', period: minute }),
          props.httpApi.metricServerError({ statistic: 'Sum', period: minute }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency',
        left: [
          props.httpApi.metricLatency({ statistic: 'p50', period: minute }),
          props.httpApi.metricLatency({ statistic: 'p99', period: minute }),
        ],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Authentication: failures (401) / API keys refused (403)',
        left: [AUTH_FAILURES_METRIC, KEY_REFUSED_METRIC].map((m) =>
          serviceMetric(config, AUTH_METRICS_SERVICE, m),
        ),
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Consumer records',
        left: ['RecordsApplied', 'RecordsQuarantined', 'RecordsFailed'].map((m) => consumer(m)),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Freshness: iterator age / newest tick age (ms)',
        left: [lambdaSearch(fnStacks, 'IteratorAge', 'Maximum')],
        right: [consumer('NewestTickAgeMs', 'Maximum')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Failure queue depth',
        left: [
          props.failureQueue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: minute,
          }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      ...(
        [
          ['Function errors', 'Errors', 'Sum'],
          ['Function throttles', 'Throttles', 'Sum'],
          ['Function duration p99', 'Duration', 'p99'],
        ] as const
      ).map(
        ([title, metric, statistic]) =>
          new cloudwatch.GraphWidget({ title, left: [lambdaSearch(fnStacks, metric, statistic)], width: 8 }),
      ),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Billing outbox: sent / failed attempts',
        left: ['OutboxSent', 'OutboxFailed'].map((m) => sync(m, 'Sum')),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Billing outbox: dead rows / oldest pending (s)',
        left: [sync('OutboxDead')],
        right: [sync('OutboxOldestPendingAgeSeconds')],
        width: 12,
      }),
    );
    const period = Duration.minutes(5);
    const db = props.database;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Database CPU %',
        left: [db.metricCPUUtilization({ period })],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Database connections',
        left: [db.metricDatabaseConnections({ statistic: 'Maximum', period })],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Database free storage',
        left: [db.metricFreeStorageSpace({ statistic: 'Minimum', period })],
        width: 6,
      }),
      ...(props.proxyName
        ? [
            new cloudwatch.GraphWidget({
              title: 'RDS Proxy: client connections / pinned',
              left: [proxyMetric(props.proxyName, 'ClientConnections')],
              right: [proxyMetric(props.proxyName, 'DatabaseConnectionsCurrentlySessionPinned')],
              width: 6,
            }),
          ]
        : []),
    );
  }
}
