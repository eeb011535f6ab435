/**
 * Alarms on PostgreSQL, RDS Proxy and both secrets' rotations, in the Data stack beside them.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { StageConfig } from '../config';
import { THRESHOLDS } from '../thresholds';
import { StackAlarms } from './alarms';
import type { Database } from './database';

const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;

/** RDS Proxy publishes per proxy node: Sum over `ProxyName` is the proxy's total. */
export function proxyMetric(proxyName: string, metricName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/RDS',
    metricName,
    dimensionsMap: { ProxyName: proxyName },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
}

export function watchDatabase(database: Database, config: StageConfig, topic: sns.ITopic): void {
  const alarms = StackAlarms.of(database);
  // The instance in use: a restored one once the stack targets it (Database.target).
  const { target: instance, proxy } = database;
  const period = Duration.minutes(5);

  alarms.add('DatabaseCpu', instance.metricCPUUtilization({ period }), {
    alarmDescription: 'PostgreSQL CPU high for 15 minutes',
    threshold: THRESHOLDS.dbCpuPercent,
    evaluationPeriods: 3,
    comparisonOperator: GT,
  });
  alarms.add('DatabaseConnections', instance.metricDatabaseConnections({ statistic: 'Maximum', period }), {
    alarmDescription: 'PostgreSQL connections near max_connections (is RDS Proxy pinning?)',
    threshold: config.db.connectionsAlarmThreshold,
    evaluationPeriods: 3,
    comparisonOperator: GT,
  });
  alarms.add('DatabaseFreeStorage', instance.metricFreeStorageSpace({ statistic: 'Minimum', period }), {
    alarmDescription: 'PostgreSQL free storage below 2 GiB: autoscaling is at its maximum or behind',
    threshold: THRESHOLDS.dbFreeStorageBytes,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    // No data from the instance is an outage, which the other alarms and /health report.
  });

  if (proxy) {
    alarms.add('ProxyClientConnections', proxyMetric(proxy.dbProxyName, 'ClientConnections'), {
      alarmDescription: 'Far more client connections than normal: runaway concurrency or a connection leak',
      threshold: config.db.proxyClientConnectionsAlarmThreshold,
      evaluationPeriods: 3,
      comparisonOperator: GT,
    });
    alarms.add(
      'ProxyPinnedSessions',
      proxyMetric(proxy.dbProxyName, 'DatabaseConnectionsCurrentlySessionPinned'),
      {
        alarmDescription:
          'Sessions pinned to a server connection (prepared statements or session state): the proxy stops pooling them',
        threshold: THRESHOLDS.proxyPinnedSessions,
        evaluationPeriods: 3,
      },
    );
  }

  // Rotation failures are events, not metrics: Secrets Manager reports them through CloudTrail
  // as `RotationFailed` with the secret's ARN; one rule per secret forwards them to the topic.
  const rotations = [
    { id: 'RotationFailed', secret: database.secret, user: 'master' },
    { id: 'AppRotationFailed', secret: database.appSecret, user: 'application role' },
  ];
  for (const { id, secret, user } of rotations) {
    new events.Rule(database, id, {
      description: `${config.prefix}: database secret rotation failed, ${user} (docs/deploy.md)`,
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventName: ['RotationFailed'],
          additionalEventData: { SecretId: [secret.secretArn] },
        },
      },
      targets: [new targets.SnsTopic(topic)],
    });
  }
}
