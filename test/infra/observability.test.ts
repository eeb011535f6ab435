import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../lib/config';
import { functionAlarmName } from '../../lib/constructs/alarms';
import { AppFunction } from '../../lib/constructs/app-function';
import { THRESHOLDS } from '../../lib/thresholds';
import { allTemplates, resourcesOf, synthApp } from './helpers';

type Props = Record<string, unknown>;
const alarmsIn = (t: Template): Props[] =>
  resourcesOf(t, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});

for (const stage of ['dev', 'prod'] as const) {
  describe(`alarms (${stage})`, () => {
    const synthed = synthApp(stage);
    const { templates } = synthed;
    const named = (t: Template, suffix: string) =>
      alarmsIn(t).find((a) => String(a.AlarmName).endsWith(`-${suffix}`));

    it('sit beside what they watch: the consumer in Ingest, 5xx in Api, the database in Data', () => {
      expect(named(templates.ingest, 'ConsumerIteratorAge')).toMatchObject({
        MetricName: 'IteratorAge',
        Namespace: 'AWS/Lambda',
        Threshold: THRESHOLDS.iteratorAgeMs,
      });
      expect(named(templates.ingest, 'ConsumerFailureQueueDepth')).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
      });
      expect(named(templates.api, 'Api5xx')).toMatchObject({
        MetricName: '5xx',
        Namespace: 'AWS/ApiGateway',
      });
      expect(named(templates.data, 'DatabaseCpu')).toMatchObject({ MetricName: 'CPUUtilization' });
      expect(named(templates.data, 'DatabaseConnections')).toMatchObject({
        MetricName: 'DatabaseConnections',
        Threshold: synthed.config.db.connectionsAlarmThreshold,
      });
      expect(alarmsIn(templates.observability)).toEqual([]);
    });

    it('watch what used to be missing: free storage, proxy connections and pinning, failed records', () => {
      expect(named(templates.data, 'DatabaseFreeStorage')).toMatchObject({
        MetricName: 'FreeStorageSpace',
        Threshold: THRESHOLDS.dbFreeStorageBytes,
        ComparisonOperator: 'LessThanThreshold',
      });
      const proxy = { Namespace: 'AWS/RDS', Dimensions: [{ Name: 'ProxyName', Value: expect.anything() }] };
      expect(named(templates.data, 'ProxyClientConnections')).toMatchObject({
        ...proxy,
        MetricName: 'ClientConnections',
        Threshold: synthed.config.db.proxyClientConnectionsAlarmThreshold,
      });
      expect(named(templates.data, 'ProxyPinnedSessions')).toMatchObject({
        ...proxy,
        MetricName: 'DatabaseConnectionsCurrentlySessionPinned',
        Statistic: 'Sum',
      });
      // Batch item failures never reach Lambda's Errors metric: the consumer counts them.
      expect(named(templates.ingest, 'ConsumerRecordsFailed')).toMatchObject({
        Namespace: 'StockConsultant',
        MetricName: 'RecordsFailed',
        Statistic: 'Sum',
      });
    });

    it('send a failed secret rotation to the alarm topic', () => {
      const [[, rule] = ['', undefined]] = resourcesOf(templates.data, 'AWS::Events::Rule').filter(([, r]) =>
        JSON.stringify(r.Properties?.EventPattern).includes('RotationFailed'),
      );
      const [[topicId] = ['missing']] = resourcesOf(templates.data, 'AWS::SNS::Topic');
      expect(rule?.Properties).toMatchObject({
        EventPattern: {
          source: ['aws.secretsmanager'],
          detail: { eventName: ['RotationFailed'], additionalEventData: { SecretId: [expect.anything()] } },
        },
        Targets: [expect.objectContaining({ Arn: { Ref: topicId } })],
      });
      // The topic's key lets EventBridge (and CloudWatch) publish to the encrypted topic.
      const key = JSON.stringify(resourcesOf(templates.data, 'AWS::KMS::Key')[0]?.[1].Properties);
      expect(key).toContain('events.amazonaws.com');
      expect(key).toContain('cloudwatch.amazonaws.com');
    });

    it('cover errors and throttles of every function, each in its own stack', () => {
      const fns = synthed.app.node.findAll().filter((c): c is AppFunction => c instanceof AppFunction);
      expect(fns.length).toBeGreaterThan(8);
      const byStack = new Map(
        [synthed.data, synthed.ingest, synthed.api, synthed.billing].map((st, i) => [
          st.stackName,
          [templates.data, templates.ingest, templates.api, templates.billing][i],
        ]),
      );
      for (const fn of fns) {
        const short = byStack.get(Stack.of(fn).stackName);
        expect(short, fn.node.path).toBeDefined();
        if (!short) continue;
        const name = functionAlarmName(fn);
        expect(named(short, `${name}-Errors`), name).toMatchObject({ MetricName: 'Errors' });
        expect(named(short, `${name}-Throttles`), name).toMatchObject({ MetricName: 'Throttles' });
      }
    });

    it('put the stage on every custom metric they watch, and notify the topic', () => {
      const all = allTemplates(synthed).flatMap(([, t]) => alarmsIn(t));
      const custom = all.filter((a) => a.Namespace === 'StockConsultant');
      expect(custom.length).toBeGreaterThanOrEqual(4);
      for (const a of custom) expect(a.Dimensions).toContainEqual({ Name: 'stage', Value: stage });
      for (const a of all) {
        expect(a.AlarmActions).toHaveLength(1);
        expect(JSON.stringify(a.AlarmActions)).toMatch(/AlarmTopic/);
      }
    });

    it('never import a function name from another stack (nothing exports one)', () => {
      for (const [name, t] of allTemplates(synthed)) {
        const json = t.toJSON();
        const functionIds = new Set(resourcesOf(t, 'AWS::Lambda::Function').map(([id]) => id));
        const exported = Object.values(
          (json.Outputs ?? {}) as Record<string, { Value: unknown; Export?: unknown }>,
        )
          .filter((o) => o.Export)
          .map((o) => JSON.stringify(o.Value));
        const offending = exported.filter((v) => [...functionIds].some((id) => v.includes(`"${id}"`)));
        expect(offending, name).toEqual([]);
      }
      const imports = JSON.stringify(templates.observability.toJSON()).match(/Fn::ImportValue[^}]*/g) ?? [];
      expect(imports.filter((i) => /Function/.test(i))).toEqual([]);
    });

    it('show on one dashboard that needs no function names', () => {
      templates.observability.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const body = JSON.stringify(templates.observability.toJSON());
      // Functions are found by the stack name their generated names start with.
      expect(body).toContain("SEARCH('{AWS/Lambda,FunctionName}");
      expect(body).toContain(`FunctionName=${synthed.config.prefix}-Api`);
      expect(body).toContain(`${synthed.config.prefix}-Ingest-ConsumerRecordsFailed`);
    });
  });
}

describe('alarm e-mail', () => {
  it('is subscribed when given, and optional in dev', () => {
    synthApp('dev').templates.data.resourceCountIs('AWS::SNS::Subscription', 0);
    synthApp('prod').templates.data.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  it('is required in prod: synth fails without it, saying how to set it', () => {
    const prod = (context: Record<string, unknown>) => () =>
      loadStageConfig(new App({ context: { stage: 'prod', ...context } }).node);
    expect(prod({})).toThrow(/"alarmEmail" is required in prod.*-c alarmEmail=/);
    expect(prod({ alarmEmail: 'not-an-address' })).toThrow(/not an e-mail address/);
    expect(prod({ alarmEmail: 'oncall@example.com' })).not.toThrow();
  });
});
