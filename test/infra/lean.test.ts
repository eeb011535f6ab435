import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../lib/config';
import { LAMBDA_RUNTIME_CA_FILE } from '../../lib/constructs/database';
import { resourcesOf, synthApp } from './helpers';

const LEAN = { profile: 'lean' } as const;

describe('the lean dev profile (-c profile=lean)', { timeout: 180_000 }, () => {
  const lean = synthApp('dev', LEAN);
  const { data, ingest, billing, observability } = lean.templates;

  it('has no NAT gateway (Flexprice off), no RDS Proxy, one provisioned shard', () => {
    data.resourceCountIs('AWS::EC2::NatGateway', 0);
    data.resourceCountIs('AWS::EC2::InternetGateway', 0);
    data.resourceCountIs('AWS::RDS::DBProxy', 0);
    ingest.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 1 });
    expect(JSON.stringify(ingest.toJSON())).not.toContain('ON_DEMAND');
  });

  it('connects the functions to the instance directly, verifying its RDS certificate', () => {
    const fns = [
      ...resourcesOf(ingest, 'AWS::Lambda::Function'),
      ...resourcesOf(billing, 'AWS::Lambda::Function'),
    ];
    const withDb = fns.filter(([, f]) => JSON.stringify(f.Properties?.Environment ?? {}).includes('DB_HOST'));
    expect(withDb.length).toBeGreaterThan(0);
    for (const [, f] of withDb) {
      const vars =
        (f.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
      expect(vars.NODE_EXTRA_CA_CERTS).toBe(LAMBDA_RUNTIME_CA_FILE);
      // Through SSM (test/infra/stage-switch.test.ts), which Data sets to the instance's address.
      expect(JSON.stringify(vars.DB_HOST)).toContain('SsmParameterValue');
    }
    data.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/StockConsultant-dev/database/host',
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseInstance'), 'Endpoint.Address'] },
    });
    // The instance admits the functions' group on 5432.
    const ingress = resourcesOf(data, 'AWS::EC2::SecurityGroupIngress').map(([, r]) =>
      JSON.stringify(r.Properties),
    );
    expect(
      ingress.some((r) => r.includes('DatabaseInstanceSecurityGroup') && r.includes('FunctionSecurityGroup')),
    ).toBe(true);
  });

  it('runs the billing sync in egress subnets with no route out, without the always-on backlog alarm', () => {
    const sync = resourcesOf(billing, 'AWS::Lambda::Function').find(([, f]) =>
      String(f.Properties?.Description).startsWith('Sends the billing outbox'),
    );
    // The same subnets as with Flexprice on (so switching it never moves the function), but
    // isolated: no route table of the VPC has a default route.
    expect(
      JSON.stringify((sync?.[1].Properties?.VpcConfig as { SubnetIds: unknown } | undefined)?.SubnetIds),
    ).toContain('egress');
    expect(resourcesOf(data, 'AWS::EC2::Route')).toEqual([]);
    const names = resourcesOf(billing, 'AWS::CloudWatch::Alarm').map(([, a]) =>
      String(a.Properties?.AlarmName),
    );
    expect(names.some((n) => n.endsWith('-OutboxDead'))).toBe(true);
    expect(names.some((n) => n.endsWith('-OutboxAge'))).toBe(false);
  });

  it('synthesizes every stack, cdk-nag clean, with a dashboard without proxy graphs', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(lean.app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
    expect(lean.app.synth().stacks).toHaveLength(7);
    expect(JSON.stringify(observability.toJSON())).not.toContain('ClientConnections');
  });

  it('keeps the NAT when asked for Flexprice (-c flexprice=on), and is refused for prod', () => {
    synthApp('dev', { ...LEAN, flexprice: 'on' }).templates.data.resourceCountIs('AWS::EC2::NatGateway', 1);
    const prod = () =>
      loadStageConfig(new App({ context: { stage: 'prod', alarmEmail: 'a@b.example', ...LEAN } }).node);
    expect(prod).toThrow(/dev only/);
  });
});
