import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { INVOICE_JOBS } from '../../lib/stacks/billing-stack';
import { THRESHOLDS } from '../../lib/thresholds';
import { resourcesOf, synthApp } from './helpers';

describe('BillingStack', () => {
  const { templates, billing: stack } = synthApp('dev');
  const billing = templates.billing;
  const functions = resourcesOf(billing, 'AWS::Lambda::Function');
  const fn = (description: string) => {
    const found = functions.find(([, f]) => String(f.Properties?.Description).startsWith(description));
    if (!found) throw new Error(`no function "${description}"`);
    return found;
  };
  const [syncId, sync] = fn('Sends the billing outbox');
  const [invoicesId, invoices] = fn('Monthly invoice close');
  const syncProps = sync.Properties ?? {};
  const invoiceProps = invoices.Properties ?? {};
  const rules = resourcesOf(billing, 'AWS::Events::Rule').map(([, r]) => r.Properties ?? {});
  const targetsOf = (logicalId: string) =>
    rules.flatMap((r) =>
      (r.Targets as { Arn: unknown; Input?: string; RetryPolicy?: unknown }[])
        .filter((t) => JSON.stringify(t.Arn).includes(logicalId))
        .map((t) => ({ schedule: r.ScheduleExpression, input: t.Input, retry: t.RetryPolicy })),
    );

  it('runs the sync every minute, without EventBridge retries (the next run is the retry)', () => {
    expect(targetsOf(syncId)).toEqual([
      { schedule: 'rate(1 minute)', input: undefined, retry: { MaximumRetryAttempts: 0 } },
    ]);
  });

  it('runs both invoice jobs daily at 19:00 UTC (00:30 IST) with their payloads', () => {
    const scheduled = targetsOf(invoicesId);
    expect(scheduled.map((t) => t.schedule)).toEqual(['cron(0 19 * * ? *)', 'cron(0 19 * * ? *)']);
    expect(
      scheduled.map((t) => JSON.parse(String(t.input))).sort((a, b) => a.job.localeCompare(b.job)),
    ).toEqual(INVOICE_JOBS.map((job) => ({ job })));
  });

  it('creates the Flexprice key secret with a generated placeholder, readable by the sync only', () => {
    billing.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"placeholder":true}',
        GenerateStringKey: 'apiKey',
      }),
    });
    const secretId = resourcesOf(billing, 'AWS::SecretsManager::Secret')[0]?.[0] ?? 'missing';
    const readers = resourcesOf(billing, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties?.PolicyDocument).includes(secretId),
    );
    expect(readers).toHaveLength(1);
    const reader = readers[0]?.[1].Properties ?? {};
    const statements = (reader.PolicyDocument as { Statement: { Action: unknown }[] }).Statement;
    const actions = statements
      .filter((s) => JSON.stringify(s).includes(secretId))
      .flatMap((s) => [s.Action].flat());
    expect(actions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    // The one reader is the sync's role (Role is { Fn::GetAtt: [<role id>, 'Arn'] }).
    const syncRole = (syncProps.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(reader.Roles).toEqual([{ Ref: syncRole }]);
    expect(syncProps.Environment).toMatchObject({
      Variables: {
        FLEXPRICE_API_URL: 'https://us.api.flexprice.io/v1',
        FLEXPRICE_API_KEY_SECRET_ARN: { Ref: secretId },
        POWERTOOLS_SERVICE_NAME: 'billing-sync',
      },
    });
    expect(JSON.stringify(invoiceProps.Environment)).not.toContain('FLEXPRICE');
  });

  it('lets only the sync leave the VPC, on HTTPS, through the egress subnets', () => {
    const groups = resourcesOf(billing, 'AWS::EC2::SecurityGroup');
    expect(groups).toHaveLength(1);
    expect(groups[0]?.[1].Properties?.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
    const syncVpc = syncProps.VpcConfig as { SubnetIds: unknown };
    const invoiceVpc = invoiceProps.VpcConfig as { SubnetIds: unknown; SecurityGroupIds: unknown[] };
    const syncSubnets = JSON.stringify(syncVpc.SubnetIds);
    const invoiceSubnets = JSON.stringify(invoiceVpc.SubnetIds);
    expect(syncSubnets).toContain('egress');
    expect(syncSubnets).not.toContain('isolated');
    expect(invoiceSubnets).toContain('isolated');
    expect(invoiceVpc.SecurityGroupIds).toHaveLength(1);
  });

  it('hands /health the secret ARN only (no read grant)', () => {
    const health = [...synthApp('dev').api.routeFunctions].find(([k]) => k === 'GET /health')?.[1];
    expect(health).toBeDefined();
    const api = templates.api;
    const healthFn = resourcesOf(api, 'AWS::Lambda::Function').find(
      ([, f]) => f.Properties?.Description === 'GET /health',
    );
    expect(JSON.stringify(healthFn?.[1].Properties?.Environment)).toContain('FLEXPRICE_API_KEY_SECRET_ARN');
    expect(JSON.stringify(api.toJSON())).not.toContain(
      'secretsmanager:GetSecretValue"],"Effect":"Allow","Resource":{"Fn::ImportValue',
    );
    expect(stack.flexpriceKey).toBeDefined();
  });
});

describe('billing alarms', () => {
  for (const stage of ['dev', 'prod'] as const) {
    const alarms = resourcesOf(synthApp(stage).templates.billing, 'AWS::CloudWatch::Alarm').map(
      ([, a]) => a.Properties ?? {},
    );
    const named = (suffix: string) => alarms.find((a) => String(a.AlarmName).endsWith(`-${suffix}`));

    it(`${stage}: alarms on any dead outbox row and on an old backlog or a sync that stopped`, () => {
      expect(named('OutboxDead')).toMatchObject({
        Namespace: 'StockConsultant',
        MetricName: 'OutboxDead',
        Dimensions: [
          { Name: 'service', Value: 'billing-sync' },
          { Name: 'stage', Value: stage },
        ],
        Statistic: 'Maximum',
        Threshold: THRESHOLDS.outboxDead,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(named('OutboxAge')).toMatchObject({
        MetricName: 'OutboxOldestPendingAgeSeconds',
        Threshold: 900,
        ComparisonOperator: 'GreaterThanThreshold',
        // No data means the sync is not running: that must alarm, not look like no backlog.
        TreatMissingData: 'breaching',
      });
    });

    it(`${stage}: alarms on errors and throttles of the sync and invoice functions`, () => {
      for (const name of ['BillingSyncFunction', 'InvoicesFunction']) {
        expect(named(`${name}-Errors`)).toMatchObject({ MetricName: 'Errors' });
        expect(named(`${name}-Throttles`)).toMatchObject({ MetricName: 'Throttles' });
      }
    });
  }
});

describe('scheduled functions', { timeout: 180_000 }, () => {
  for (const stage of ['dev', 'prod'] as const) {
    it(`${stage}: set Lambda's own async retries explicitly (the sync: none; idempotent invoice jobs: 2)`, () => {
      const t = synthApp(stage).templates.billing;
      const functions = resourcesOf(t, 'AWS::Lambda::Function');
      const idOf = (description: string) =>
        functions.find(([, f]) => String(f.Properties?.Description).startsWith(description))?.[0] ??
        'missing';
      const configs = resourcesOf(t, 'AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties ?? {});
      const configOf = (id: string) => configs.find((c) => JSON.stringify(c.FunctionName).includes(id));
      expect(configOf(idOf('Sends the billing outbox'))).toMatchObject({
        MaximumRetryAttempts: 0,
        Qualifier: '$LATEST',
      });
      expect(configOf(idOf('Monthly invoice close'))).toMatchObject({ MaximumRetryAttempts: 2 });
      // Every function a schedule invokes has one.
      const targeted = resourcesOf(t, 'AWS::Events::Rule').flatMap(([, r]) =>
        ((r.Properties?.Targets ?? []) as { Arn: { 'Fn::GetAtt': [string, string] } }[]).map(
          (x) => x.Arn['Fn::GetAtt'][0],
        ),
      );
      const configured = configs.map((c) => (c.FunctionName as { Ref: string }).Ref);
      expect(targeted.length).toBeGreaterThan(0);
      for (const id of targeted) expect(configured).toContain(id);
    });
  }
});
