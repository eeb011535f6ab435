/**
 * The operator's paths through a disaster recovery (docs/operations.md "Runbook"), in the
 * templates: a role that may read the journal back and nothing else, the journal copied to the
 * second region, one context value that points the stack at a restored instance and changes
 * nothing else, and a route to S3 for every function that needs one.
 */

import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { JOURNALING_FUNCTIONS } from '../../functions/platform/names';
import type { DrKeyStack } from '../../lib/stacks/dr-key-stack';
import { allTemplates, type Resources, render, resourcesOf, type Synthed, synthApp } from './helpers';

const OPERATOR = 'arn:aws:iam::123456789012:role/DrOnCall';
/** What the runbook's restore names it: `stockconsultant-<stage>-restored-<UTC time of T>`. */
const RESTORED = {
  prod: 'stockconsultant-prod-restored-202611281030',
  dev: 'stockconsultant-dev-restored-202611281030',
};
const journalArn = (stage: string, region = '<AWS::Region>') =>
  `arn:<AWS::Partition>:s3:::stockconsultant-${stage}-journal-<AWS::AccountId>-${region}`;

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Principal?: unknown };

/** The statements of every inline policy attached to role `roleId` in `template`. */
function statementsOfRole(template: Template, roleId: string): Statement[] {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(
      ([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
    );
}

/** Actions and rendered resources of statements, for exact comparison. */
const readable = (statements: Statement[]) =>
  statements.map((s) => ({
    actions: [s.Action].flat().sort(),
    resources: [s.Resource].flat().map(render).sort(),
    ...(s.Condition ? { condition: s.Condition } : {}),
  }));

/** Roles of the app whose trust policy names `principal` (AWS principal or service). */
function rolesTrusting(s: Synthed, principal: unknown): [Template, string, Resources[string]][] {
  return allTemplates(s).flatMap(([, t]) =>
    resourcesOf(t, 'AWS::IAM::Role')
      .filter(([, r]) =>
        (
          (r.Properties?.AssumeRolePolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? []
        ).some((st) => JSON.stringify(st.Principal) === JSON.stringify(principal)),
      )
      .map(([id, r]) => [t, id, r] as [Template, string, Resources[string]]),
  );
}

describe('the DR operator role', { timeout: 180_000 }, () => {
  it('does not exist unless a principal is named', () => {
    const dev = synthApp('dev');
    expect(dev.templates.data.findOutputs('DrOperatorRoleArn')).toEqual({});
    expect(rolesTrusting(dev, { AWS: OPERATOR })).toHaveLength(0);
  });

  for (const stage of ['dev', 'prod'] as const) {
    it(`${stage}: the named principal may list and read the journal's entries${stage === 'prod' ? ' (both regions)' : ''}, nothing else`, () => {
      const s = synthApp(stage, { drOperatorPrincipalArn: OPERATOR });
      const roles = rolesTrusting(s, { AWS: OPERATOR });
      expect(roles).toHaveLength(1);
      const [[template, roleId, role]] = roles as [[Template, string, Resources[string]]];
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties?.MaxSessionDuration).toBe(3600);
      const buckets = [journalArn(stage), ...(stage === 'prod' ? [journalArn(stage, 'ap-south-2')] : [])];
      expect(readable(statementsOfRole(template, roleId))).toEqual([
        {
          actions: ['s3:ListBucket'],
          resources: buckets.sort(),
          condition: { StringLike: { 's3:prefix': ['journal/*'] } },
        },
        { actions: ['s3:GetObject'], resources: buckets.map((b) => `${b}/journal/*`).sort() },
      ]);
      // No KMS permission needed: the journal is encrypted with S3-managed keys.
      s.templates.data.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
      s.templates.data.hasOutput('DrOperatorRoleArn', {});
    });
  }

  it('refuses a principal that is not an IAM account root, role or user ARN', () => {
    for (const bad of ['*', 'arn:aws:iam::123:root', 'arn:aws:s3:::bucket', '123456789012']) {
      expect(() => synthApp('dev', { drOperatorPrincipalArn: bad }), bad).toThrow(/drOperatorPrincipalArn/);
    }
  });
});

describe('the journal in the second region (prod)', { timeout: 180_000 }, () => {
  it('replicates every new entry, with its lock, into a bucket of ap-south-2 locked the same way', () => {
    const prod = synthApp('prod');
    const [[, bucket]] = resourcesOf(prod.templates.data, 'AWS::S3::Bucket').filter(([id]) =>
      id.startsWith('DrJournal'),
    ) as [[string, Resources[string]]];
    const replication = bucket.Properties?.ReplicationConfiguration as {
      Role: { 'Fn::GetAtt': [string, string] };
      Rules: Record<string, unknown>[];
    };
    expect(replication.Rules).toEqual([
      expect.objectContaining({
        Status: 'Enabled',
        Filter: { Prefix: 'journal/' },
        DeleteMarkerReplication: { Status: 'Disabled' },
        Destination: expect.objectContaining({ Bucket: expect.anything() }),
      }),
    ]);
    const destination = (replication.Rules[0]?.Destination as { Bucket: unknown } | undefined)?.Bucket;
    expect(render(destination)).toBe(journalArn('prod', 'ap-south-2'));

    // The role: S3 only, the object-lock reads replication needs, no s3:ReplicateDelete.
    const roleId = replication.Role['Fn::GetAtt'][0];
    const role = prod.templates.data.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 's3.amazonaws.com',
    });
    expect(readable(statementsOfRole(prod.templates.data, roleId))).toEqual([
      {
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [journalArn('prod')],
      },
      {
        actions: [
          's3:GetObjectLegalHold',
          's3:GetObjectRetention',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionTagging',
        ],
        resources: [`${journalArn('prod')}/journal/*`],
      },
      {
        actions: ['s3:ReplicateObject', 's3:ReplicateTags'],
        resources: [`${journalArn('prod', 'ap-south-2')}/journal/*`],
      },
    ]);

    // The destination exists in the DrKey stack (deployed first, in ap-south-2): S3 refuses a
    // rule whose destination lacks versioning or, for a locked source, object lock.
    const drKey = prod.app.node.tryFindChild('StockConsultant-prod-DrKey') as DrKeyStack;
    const replica = Template.fromStack(drKey);
    replica.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketName: {
          'Fn::Join': ['', ['stockconsultant-prod-journal-', { Ref: 'AWS::AccountId' }, '-ap-south-2']],
        },
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 35 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    });
    replica.hasOutput('JournalReplicaBucketName', {});
    expect(prod.data.dependencies).toContain(drKey);
  });

  it('dev keeps its journal in its own region only', () => {
    const dev = synthApp('dev');
    for (const [, b] of resourcesOf(dev.templates.data, 'AWS::S3::Bucket'))
      expect(b.Properties?.ReplicationConfiguration).toBeUndefined();
  });
});

/** `stack/logicalId` of every resource or output that differs between two syntheses. */
function differences(
  before: Synthed,
  after: Synthed,
): { changed: string[]; added: string[]; removed: string[] } {
  const out = { changed: [] as string[], added: [] as string[], removed: [] as string[] };
  for (const [name, template] of allTemplates(before)) {
    const a = template.toJSON();
    const b = after.templates[name as keyof Synthed['templates']].toJSON();
    for (const section of ['Resources', 'Outputs']) {
      const ids = new Set([...Object.keys(a[section] ?? {}), ...Object.keys(b[section] ?? {})]);
      for (const id of ids) {
        const [x, y] = [a[section]?.[id], b[section]?.[id]];
        const key = `${name}/${id}`;
        if (x === undefined) out.added.push(key);
        else if (y === undefined) out.removed.push(key);
        else if (JSON.stringify(x) !== JSON.stringify(y)) out.changed.push(key);
      }
    }
  }
  return out;
}

const typeOf = (s: Synthed, key: string): string => {
  const [stack, id] = key.split('/') as [keyof Synthed['templates'], string];
  return s.templates[stack].toJSON().Resources?.[id]?.Type ?? 'Output';
};

describe('pointing the stack at a restored instance', { timeout: 300_000 }, () => {
  for (const [stage, context, label] of [
    ['prod', {}, 'prod (RDS Proxy)'],
    ['dev', { profile: 'lean' }, 'lean dev (no proxy)'],
  ] as const) {
    it(`${label}: one context value moves the proxy or the functions, both secrets and the alarms to it, and nothing else`, () => {
      const restored = RESTORED[stage];
      const before = synthApp(stage, context);
      const after = synthApp(stage, { ...context, restoredDatabaseInstance: restored });
      const diff = differences(before, after);

      // Nothing replaced, nothing created or deleted: the stack's own instance stays as it was.
      // (Lean: the migration runner's new host gives it a new version, which runs the migrations.)
      expect(diff.removed.filter((k) => typeOf(before, k) !== 'AWS::Lambda::Version')).toEqual([]);
      expect(diff.added.filter((k) => typeOf(after, k) !== 'AWS::Lambda::Version')).toEqual([]);
      const changedTypes = diff.changed.map((k) => typeOf(after, k)).sort();
      const expected = [
        'AWS::CloudWatch::Alarm',
        'AWS::CloudWatch::Alarm',
        'AWS::CloudWatch::Alarm',
        'AWS::CloudWatch::Dashboard',
        'AWS::SecretsManager::SecretTargetAttachment',
        'AWS::SecretsManager::SecretTargetAttachment',
        'Output',
        ...(stage === 'prod'
          ? ['AWS::Events::Rule', 'AWS::RDS::DBProxyTargetGroup']
          : ['AWS::Lambda::Function', 'AWS::SSM::Parameter', 'Custom::Trigger']),
      ].sort();
      expect(changedTypes).toEqual(expected);

      const data = after.templates.data;
      expect(JSON.stringify(resourcesOf(data, 'AWS::RDS::DBInstance'))).toBe(
        JSON.stringify(resourcesOf(before.templates.data, 'AWS::RDS::DBInstance')),
      );
      // Both secrets follow: Secrets Manager writes the restored host into them, and rotation
      // changes the password where the proxy and the migration runner use it.
      const attachments = resourcesOf(data, 'AWS::SecretsManager::SecretTargetAttachment');
      expect(attachments.map(([, a]) => a.Properties?.TargetId)).toEqual([restored, restored]);
      for (const [, alarm] of resourcesOf(data, 'AWS::CloudWatch::Alarm').filter(([id]) =>
        id.startsWith('AlarmsDatabase'),
      ))
        expect(alarm.Properties?.Dimensions).toEqual([{ Name: 'DBInstanceIdentifier', Value: restored }]);
      expect(data.findOutputs('DatabaseInstanceIdentifier').DatabaseInstanceIdentifier?.Value).toBe(restored);

      if (stage === 'prod') {
        // The functions connect to the proxy, whose only target is now the restored instance.
        data.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', { DBInstanceIdentifiers: [restored] });
      } else {
        // Without a proxy the functions connect to the restored instance's endpoint: the Data
        // stack's own through DB_HOST, the others through the host parameter.
        const [[, parameter]] = resourcesOf(data, 'AWS::SSM::Parameter').filter(([id]) =>
          id.startsWith('DatabaseHostParameter'),
        ) as [[string, Resources[string]]];
        const host = JSON.stringify(parameter.Properties?.Value);
        expect(host).toContain(`"${restored}"`);
        expect(host).toContain('Endpoint.Address');
        const [[, runner]] = resourcesOf(data, 'AWS::Lambda::Function').filter(([id]) =>
          id.startsWith('MigrationsRunner'),
        ) as [[string, Resources[string]]];
        expect(JSON.stringify(runner.Properties?.Environment)).toContain(`"${restored}"`);
      }
    });
  }

  it('takes the value for its own stage from a per-stage setting (cdk.json)', () => {
    const perStage = { restoredDatabaseInstance: { prod: RESTORED.prod } };
    expect(synthApp('prod', perStage).data.database.target.instanceIdentifier).toBe(RESTORED.prod);
    // A dev deploy from the same checkout keeps its own instance.
    const dev = synthApp('dev', perStage);
    expect(dev.data.database.target).toBe(dev.data.database.instance);
  });

  it('refuses an identifier of another stage or one RDS would not accept', () => {
    for (const bad of [
      RESTORED.prod,
      'StockConsultant-dev-data-x-r',
      'stockconsultant-dev--x',
      'stockconsultant-dev-x-',
    ]) {
      expect(() => synthApp('dev', { restoredDatabaseInstance: bad }), bad).toThrow(
        /restoredDatabaseInstance/,
      );
    }
  });

  it('cdk-nag reports nothing unacknowledged with a restored instance and an operator role', () => {
    for (const [stage, context] of [
      ['prod', { restoredDatabaseInstance: RESTORED.prod }],
      ['dev', { profile: 'lean', restoredDatabaseInstance: RESTORED.dev }],
    ] as const) {
      const s = synthApp(stage, { ...context, drOperatorPrincipalArn: OPERATOR });
      const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(s.app);
      expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.length}`)).toEqual([]);
    }
  });
});

/** The logical id of a subnet named by `Ref` (Data stack) or by an import of Data's export. */
function subnetId(value: unknown): string {
  const v = value as { Ref?: string; 'Fn::ImportValue'?: string };
  if (v.Ref) return v.Ref;
  const exported = /:ExportsOutputRef(.+)[0-9A-F]{8}$/.exec(String(v['Fn::ImportValue']));
  if (!exported?.[1]) throw new Error(`Not a subnet reference: ${JSON.stringify(value)}`);
  return exported[1];
}

/** Route tables of the S3 gateway endpoint, as logical ids. */
function s3EndpointRouteTables(s: Synthed): string[] {
  const gateways = resourcesOf(s.templates.data, 'AWS::EC2::VPCEndpoint').filter(
    ([, e]) => e.Properties?.VpcEndpointType === 'Gateway',
  );
  expect(gateways).toHaveLength(1);
  return ((gateways[0]?.[1].Properties?.RouteTableIds ?? []) as { Ref: string }[]).map((r) => r.Ref).sort();
}

/** Service names of the functions that write the journal or may read or write S3 objects. */
function s3Functions(s: Synthed): { service: string; subnets: unknown[] }[] {
  const out: { service: string; subnets: unknown[] }[] = [];
  for (const [, template] of allTemplates(s)) {
    for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      const env = (fn.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {};
      const roleId = (fn.Properties?.Role as { 'Fn::GetAtt'?: string[] })?.['Fn::GetAtt']?.[0];
      const usesS3 =
        'JOURNAL_BUCKET' in env ||
        (roleId !== undefined &&
          statementsOfRole(template, roleId).some((st) =>
            [st.Action].flat().some((a) => /^s3:(Get|Put)Object/.test(a)),
          ));
      const vpc = fn.Properties?.VpcConfig as { SubnetIds?: unknown[] } | undefined;
      // Outside the VPC (CDK's helper functions) S3 is reached over the internet.
      if (usesS3 && vpc)
        out.push({ service: String(env.POWERTOOLS_SERVICE_NAME), subnets: vpc.SubnetIds ?? [] });
    }
  }
  return out;
}

describe('the S3 gateway endpoint', { timeout: 180_000 }, () => {
  for (const [stage, context, label] of [
    ['dev', {}, 'dev'],
    ['dev', { profile: 'lean' }, 'lean dev'],
    ['prod', {}, 'prod'],
  ] as const) {
    it(`${label}: every function that writes the journal or reads S3 has a route to it`, () => {
      const s = synthApp(stage, context);
      const routeTableOf = new Map(
        resourcesOf(s.templates.data, 'AWS::EC2::SubnetRouteTableAssociation').map(([, a]) => [
          (a.Properties?.SubnetId as { Ref: string } | undefined)?.Ref,
          (a.Properties?.RouteTableId as { Ref: string } | undefined)?.Ref,
        ]),
      );
      const endpoint = new Set(s3EndpointRouteTables(s));
      const functions = s3Functions(s);
      expect(functions.map((f) => f.service)).toEqual(
        expect.arrayContaining([...JOURNALING_FUNCTIONS, 'bhavcopy-import']),
      );
      for (const { service, subnets } of functions) {
        expect(subnets.length, service).toBeGreaterThan(0);
        for (const subnet of subnets) {
          const table = routeTableOf.get(subnetId(subnet));
          expect(table && endpoint.has(table), `${service}: ${subnetId(subnet)}`).toBe(true);
        }
      }
    });
  }

  it('serves both function subnet groups, by name, with or without Flexprice egress', () => {
    // By type, the egress group would drop out whenever it has the NAT (lib/subnets.ts).
    const standard = s3EndpointRouteTables(synthApp('dev'));
    expect(standard).toEqual(s3EndpointRouteTables(synthApp('dev', { profile: 'lean' })));
    expect(standard.filter((t) => t.startsWith('Vpcisolated'))).toHaveLength(2);
    expect(standard.filter((t) => t.startsWith('Vpcegress'))).toHaveLength(2);
    expect(standard).toHaveLength(4);
  });
});
