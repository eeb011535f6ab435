import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUTH_FAILURES_METRIC, AUTH_METRICS_SERVICE } from '../../functions/platform/names';
import { ROUTES } from '../../functions/routes';
import { THRESHOLDS } from '../../lib/stacks/observability-stack';
import { alarmNamed, alarmsOf, synthApp } from './helpers';

describe('ObservabilityStack', () => {
  const { observability } = synthApp('dev').templates;
  const alarms = alarmsOf(observability);
  const named = (suffix: string) => alarmNamed(observability, suffix);

  it('alarms on consumer iterator age, failure-queue depth and quarantine growth', () => {
    expect(named('ConsumerIteratorAge')).toMatchObject({
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Threshold: THRESHOLDS.iteratorAgeMs,
    });
    expect(named('ConsumerFailureQueueDepth')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
    });
    expect(named('QuarantineGrowth')).toMatchObject({
      MetricName: 'RecordsQuarantined',
      Namespace: 'StockConsultant',
      Dimensions: [{ Name: 'service', Value: 'consumer' }],
      Statistic: 'Sum',
    });
  });

  it('alarms on API 5xx and on database CPU and connections', () => {
    expect(named('Api5xx')).toMatchObject({ MetricName: '5xx', Namespace: 'AWS/ApiGateway' });
    expect(named('DatabaseCpu')).toMatchObject({ MetricName: 'CPUUtilization', Namespace: 'AWS/RDS' });
    expect(named('DatabaseConnections')).toMatchObject({ MetricName: 'DatabaseConnections', Threshold: 80 });
  });

  it('alarms on authentication failures counted by every API function under one dimension', () => {
    expect(named('AuthenticationFailures')).toMatchObject({
      MetricName: AUTH_FAILURES_METRIC,
      Namespace: 'StockConsultant',
      Dimensions: [{ Name: 'service', Value: AUTH_METRICS_SERVICE }],
      Statistic: 'Sum',
      Threshold: THRESHOLDS.authFailuresPer5Min,
    });
  });

  it('alarms on errors and throttles of every function', () => {
    const perFunction = [
      'Consumer',
      'Migrate',
      'BillingSync',
      'Invoices',
      ...ROUTES.map((r) => r.routeKey.replace(/[^A-Za-z0-9]+/g, '')),
    ];
    for (const name of perFunction) {
      expect(named(`${name}Errors`), name).toMatchObject({ MetricName: 'Errors' });
      expect(named(`${name}Throttles`), name).toMatchObject({ MetricName: 'Throttles' });
    }
  });

  it('notifies an encrypted topic from every alarm', () => {
    observability.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
  });

  it('subscribes the alarm e-mail only when one is configured', () => {
    observability.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = synthApp('dev', { alarmEmail: 'ops@example.com' }).templates.observability;
    withEmail.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('has one dashboard', () => {
    observability.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
