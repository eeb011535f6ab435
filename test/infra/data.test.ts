import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BUNDLED_MIGRATIONS_DIR } from '../../lib/constructs/migrations';
import { resourcesOf, synthApp } from './helpers';

describe('DataStack', { timeout: 180_000 }, () => {
  const { templates } = synthApp('dev');
  const data = templates.data;

  it('keeps the database in isolated subnets; one NAT gateway serves only the egress subnets', () => {
    data.resourceCountIs('AWS::EC2::NatGateway', 1);
    data.resourceCountIs('AWS::EC2::InternetGateway', 1);
    // Isolated route tables have no default route; only the egress subnets route to the NAT.
    const natRoutes = resourcesOf(data, 'AWS::EC2::Route').filter(([, r]) => r.Properties?.NatGatewayId);
    expect(natRoutes.map(([id]) => id).every((id) => id.includes('egress'))).toBe(true);
    expect(natRoutes).toHaveLength(2);
    const isolatedRoutes = resourcesOf(data, 'AWS::EC2::Route').filter(([id]) => id.includes('isolated'));
    expect(isolatedRoutes).toHaveLength(0);
    // The isolated subnets keep their CIDRs (the database's subnet group must not move).
    const cidrs = resourcesOf(data, 'AWS::EC2::Subnet').map(([id, r]) => [id, r.Properties?.CidrBlock]);
    expect(cidrs.filter(([id]) => String(id).includes('isolated')).map(([, c]) => c)).toEqual([
      '10.40.0.0/24',
      '10.40.1.0/24',
    ]);
    data.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.secretsmanager'])]) }),
      PrivateDnsEnabled: true,
    });
  });

  it('runs PostgreSQL 17.9 (the major RDS Proxy supports; the tests run it too), encrypted, private', () => {
    data.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: '17.9',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      BackupRetentionPeriod: Match.anyValue(),
      DBParameterGroupName: Match.anyValue(),
    });
    synthApp('prod').templates.data.hasResourceProperties('AWS::RDS::DBInstance', { EngineVersion: '17.9' });
  });

  it('requires TLS at the database and at the proxy', () => {
    data.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres17',
      Parameters: Match.objectLike({ 'rds.force_ssl': '1' }),
    });
    data.hasResourceProperties('AWS::RDS::DBProxy', { RequireTLS: true, EngineFamily: 'POSTGRESQL' });
  });

  for (const stage of ['dev', 'prod'] as const) {
    it(`${stage}: rotates both secrets every 30 days, with a group the endpoint and the database admit`, () => {
      const t = synthApp(stage).templates.data;
      // The master's and the application role's (test/infra/database-roles.test.ts).
      t.resourceCountIs('AWS::SecretsManager::Secret', 2);
      t.resourceCountIs('AWS::SecretsManager::RotationSchedule', 2);
      t.resourceCountIs('AWS::Serverless::Application', 2);
      // Not at creation: that would change the password while the migrations connect.
      t.allResourcesProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        RotateImmediatelyOnUpdate: false,
      });
      const [[rotationSg] = ['missing']] = resourcesOf(t, 'AWS::EC2::SecurityGroup').filter(([id]) =>
        id.startsWith('DatabaseRotationSecurityGroup'),
      );
      const [[endpointSg] = ['missing']] = resourcesOf(t, 'AWS::EC2::SecurityGroup').filter(([id]) =>
        id.includes('SecretsManagerSecurityGroup'),
      );
      const [[instanceSg] = ['missing']] = resourcesOf(t, 'AWS::EC2::SecurityGroup').filter(([id]) =>
        id.startsWith('DatabaseInstanceSecurityGroup'),
      );
      const groupId = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });
      // Both rotation functions run in that group (SAR parameter)…
      t.allResourcesProperties('AWS::Serverless::Application', {
        Parameters: Match.objectLike({ vpcSecurityGroupIds: groupId(rotationSg) }),
      });
      // …which Secrets Manager's endpoint admits on 443 and PostgreSQL on 5432.
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: groupId(endpointSg),
        SourceSecurityGroupId: groupId(rotationSg),
        FromPort: 443,
      });
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: groupId(instanceSg),
        SourceSecurityGroupId: groupId(rotationSg),
        FromPort: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseInstance'), 'Endpoint.Port'] },
      });
      const egress = resourcesOf(t, 'AWS::EC2::SecurityGroupEgress')
        .map(([, r]) => r.Properties ?? {})
        .filter((p) => JSON.stringify(p.GroupId).includes(rotationSg));
      // and it may reach nothing else.
      const destinations = egress.map((p) => JSON.stringify(p.DestinationSecurityGroupId)).sort();
      expect(destinations).toEqual([instanceSg, endpointSg].map((g) => JSON.stringify(groupId(g))).sort());
    });
  }

  it('lets the functions reach only the proxy (5432) and the endpoint (443)', () => {
    const [[, sg] = ['', undefined]] = resourcesOf(data, 'AWS::EC2::SecurityGroup').filter(([id]) =>
      id.startsWith('FunctionSecurityGroup'),
    );
    expect(JSON.stringify(sg?.Properties?.SecurityGroupEgress ?? [])).not.toContain('0.0.0.0/0');
    const egress = resourcesOf(data, 'AWS::EC2::SecurityGroupEgress')
      .map(([, r]) => r.Properties ?? {})
      .filter((p) => JSON.stringify(p.GroupId).includes('FunctionSecurityGroup'));
    expect(egress.map((p) => p.FromPort).sort()).toEqual([443, 5432]);
  });

  it('runs the bundled migrations with a trigger after the database and proxy exist', () => {
    data.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MIGRATIONS_DIR: BUNDLED_MIGRATIONS_DIR }) },
      Timeout: 300,
    });
    const [[, trigger] = ['', undefined]] = resourcesOf(data, 'Custom::Trigger');
    const dependsOn = trigger?.DependsOn as string[];
    expect(dependsOn.some((d) => d.startsWith('DatabaseInstance'))).toBe(true);
    expect(dependsOn.some((d) => d.startsWith('DatabaseProxy'))).toBe(true);
  });
});
