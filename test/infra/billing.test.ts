import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { INVOICE_JOBS, RECONCILE_SCHEDULE } from '../../lib/stacks/billing-stack';
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
  const [reconcileId, reconcile] = fn('Reconciles a day of the billing ledger');
  const reconcileProps = reconcile.Properties ?? {};
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

  it('creates the Flexprice key secret with a generated placeholder, readable by the sync and the reconciliation only', () => {
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
    expect(readers).toHaveLength(2);
    for (const [, policy] of readers) {
      const document = policy.Properties?.PolicyDocument as { Statement: { Action: unknown }[] };
      const statements = document.Statement;
      const actions = statements
        .filter((s) => JSON.stringify(s).includes(secretId))
        .flatMap((s) => [s.Action].flat());
      expect(actions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    }
    // The readers are the sync's and the reconciliation's roles (Role is { Fn::GetAtt: [<role id>, 'Arn'] }).
    const roleOf = (p: Record<string, unknown>) => ({
      Ref: (p.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
    });
    expect(readers.flatMap(([, p]) => p.Properties?.Roles as unknown[])).toEqual(
      expect.arrayContaining([roleOf(syncProps), roleOf(reconcileProps)]),
    );
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
    // The functions' group and the journal's (HTTPS from isolated subnets: S3's gateway endpoint only).
    expect(invoiceVpc.SecurityGroupIds).toHaveLength(2);
    expect(JSON.stringify(invoiceVpc.SecurityGroupIds)).toContain('DrJournalEgress');
  });

  it('runs the reconciliation daily at 01:00 IST and follows up every 15 minutes, never retried', () => {
    expect(RECONCILE_SCHEDULE).toEqual({ minute: '30', hour: '19' });
    const scheduled = targetsOf(reconcileId).map((t) => ({ ...t, input: JSON.parse(String(t.input)) }));
    expect(scheduled).toEqual(
      expect.arrayContaining([
        { schedule: 'cron(30 19 * * ? *)', input: { job: 'daily' }, retry: { MaximumRetryAttempts: 0 } },
        { schedule: 'rate(15 minutes)', input: { job: 'follow-up' }, retry: { MaximumRetryAttempts: 0 } },
      ]),
    );
    expect(scheduled).toHaveLength(2);
    // Lambda's own async retries are off too (EventBridge invokes asynchronously).
    billing.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: reconcileId },
      MaximumRetryAttempts: 0,
    });
    expect(reconcileProps).toMatchObject({ Timeout: 900 });
    expect(reconcileProps.Environment).toMatchObject({
      Variables: {
        POWERTOOLS_SERVICE_NAME: 'reconcile',
        FLEXPRICE_API_URL: 'https://us.api.flexprice.io/v1',
      },
    });
  });

  it('reaches Flexprice as the sync does: egress subnets, the HTTPS-only group, and the database', () => {
    const vpc = reconcileProps.VpcConfig as { SubnetIds: unknown; SecurityGroupIds: unknown };
    expect(JSON.stringify(vpc.SubnetIds)).toContain('egress');
    expect(vpc.SecurityGroupIds).toEqual(
      (syncProps.VpcConfig as { SecurityGroupIds: unknown }).SecurityGroupIds,
    );
    expect(JSON.stringify(reconcileProps.Environment)).toContain('DB_HOST');
  });

  it('hands /health the secret ARN only (no read grant)', () => {
    const health = [...synthApp('dev').api.routeFunctions].find(([k]) => k === 'GET /health')?.[1];
    expect(health).toBeDefined();
    const api = templates.api;
    const healthFn = resourcesOf(api, 'AWS::Lambda::Function').find(([, f]) =>
      String(f.Properties?.Description).split(', ').includes('GET /health'),
    );
    expect(JSON.stringify(healthFn?.[1].Properties?.Environment)).toContain('FLEXPRICE_API_KEY_SECRET_ARN');
    // The API stack's only reader is the reconciliation route (test/infra/reconciliation-route.test.ts).
    const healthRole = /"Fn::GetAtt":\["([^"]+)"/.exec(JSON.stringify(healthFn?.[1].Properties?.Role))?.[1];
    const healthPolicies = resourcesOf(api, 'AWS::IAM::Policy').filter(([, p]) =>
      JSON.stringify(p.Properties?.Roles).includes(`"${healthRole}"`),
    );
    expect(healthPolicies).toHaveLength(1);
    expect(JSON.stringify(healthPolicies)).not.toContain('FlexpriceApiKey');
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

    it(`${stage}: alarms when a reconciliation run ends in drift or fails (metrics of functions/reconcile.ts)`, () => {
      for (const metric of ['ReconciliationDrift', 'ReconciliationFailed']) {
        expect(named(metric)).toMatchObject({
          Namespace: 'StockConsultant',
          MetricName: metric,
          Dimensions: [
            { Name: 'service', Value: 'reconcile' },
            { Name: 'stage', Value: stage },
          ],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
    });

    it(`${stage}: alarms on errors and throttles of the sync, invoice and reconciliation functions`, () => {
      for (const name of ['BillingSyncFunction', 'InvoicesFunction', 'ReconcileFunction']) {
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
      expect(configOf(idOf('Reconciles a day'))).toMatchObject({ MaximumRetryAttempts: 0 });
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
