/**
 * The functions publish their metrics with Powertools (functions/platform/powertools.ts); the
 * alarms watch them (lib/metrics.ts). This ties the two: the EMF a function emits with its
 * deployed environment has exactly the namespace and dimensions its alarm watches.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MetricUnit, powertools } from '../../functions/platform/powertools';
import { resourcesOf, synthApp } from './helpers';

type Emf = {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
  [dimension: string]: unknown;
};

/** What a function with `env` emits for one metric: namespace and dimension name → value. */
function emitted(env: Record<string, string>, metric: string) {
  const { metrics } = powertools(env.POWERTOOLS_SERVICE_NAME ?? 'unset', env);
  metrics.addMetric(metric, MetricUnit.Count, 1);
  const emf = metrics.serializeMetrics() as unknown as Emf;
  const [directive] = emf._aws.CloudWatchMetrics;
  const names = directive?.Dimensions[0] ?? [];
  return {
    namespace: directive?.Namespace,
    dimensions: names
      .map((name) => ({ Name: name, Value: emf[name] }))
      .sort((a, b) => a.Name.localeCompare(b.Name)),
  };
}

function deployedEnv(t: Template, description: string): Record<string, string> {
  const fn = resourcesOf(t, 'AWS::Lambda::Function').find(([, f]) =>
    String(f.Properties?.Description).startsWith(description),
  );
  const environment = fn?.[1].Properties?.Environment as { Variables: Record<string, string> } | undefined;
  if (!environment) throw new Error(`no function "${description}"`);
  return environment.Variables;
}

function alarm(t: Template, suffix: string) {
  const props = resourcesOf(t, 'AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties ?? {})
    .find((a) => String(a.AlarmName).endsWith(`-${suffix}`));
  return {
    namespace: props?.Namespace,
    dimensions: [...((props?.Dimensions as { Name: string; Value: unknown }[]) ?? [])].sort((a, b) =>
      a.Name.localeCompare(b.Name),
    ),
  };
}

for (const stage of ['dev', 'prod'] as const) {
  describe(`custom metrics (${stage})`, () => {
    const { ingest, billing } = synthApp(stage).templates;

    it('the consumer emits RecordsFailed where its alarm looks, stage included', () => {
      const env = deployedEnv(ingest, 'Applies price ticks');
      expect(env.STAGE).toBe(stage);
      const got = emitted(env, 'RecordsFailed');
      expect(got.dimensions).toContainEqual({ Name: 'stage', Value: stage });
      expect(got).toEqual(alarm(ingest, 'ConsumerRecordsFailed'));
      expect(emitted(env, 'RecordsQuarantined')).toEqual(alarm(ingest, 'QuarantineGrowth'));
    });

    it('the billing sync emits its outbox gauges where their alarms look', () => {
      const env = deployedEnv(billing, 'Sends the billing outbox');
      expect(emitted(env, 'OutboxDead')).toEqual(alarm(billing, 'OutboxDead'));
      expect(emitted(env, 'OutboxOldestPendingAgeSeconds')).toEqual(alarm(billing, 'OutboxAge'));
    });
  });
}

describe('metrics outside AWS', () => {
  it('carry stage "local", so a laptop never feeds a dev or prod alarm', () => {
    expect(emitted({ POWERTOOLS_SERVICE_NAME: 'consumer' }, 'RecordsFailed').dimensions).toContainEqual({
      Name: 'stage',
      Value: 'local',
    });
  });
});
