import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { resourcesOf, synthApp } from './helpers';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

function statementsOf(stage: 'dev' | 'prod'): { where: string; statement: Statement }[] {
  const out: { where: string; statement: Statement }[] = [];
  for (const [stack, template] of Object.entries(synthApp(stage).templates)) {
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const [id, policy] of resourcesOf(template, type)) {
        const doc = policy.Properties?.PolicyDocument as { Statement: Statement[] };
        for (const statement of doc.Statement) out.push({ where: `${stack}/${id}`, statement });
      }
    }
  }
  return out;
}

describe('least privilege', () => {
  const statements = statementsOf('dev');

  it('grants no wildcard actions (`*` or `service:*`)', () => {
    const wild = statements.filter(({ statement }) =>
      [statement.Action].flat().some((a) => a === '*' || a.endsWith(':*')),
    );
    expect(wild).toEqual([]);
  });

  it('uses Resource "*" only for actions that have no resource-level permissions', () => {
    const allowed = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      // aws-cdk-lib's LogRetention function (RDS log export retention).
      'logs:PutRetentionPolicy',
      'logs:DeleteRetentionPolicy',
    ]);
    const anyResource = statements.filter(({ statement }) => [statement.Resource].flat().includes('*'));
    expect(anyResource.length).toBeGreaterThan(0);
    const offending = anyResource.flatMap(({ where, statement }) =>
      [statement.Action]
        .flat()
        .filter((a) => !allowed.has(a))
        .map((a) => `${where}: ${a}`),
    );
    expect(offending).toEqual([]);
  });

  it('never grants writes to the database secret', () => {
    const secretWrites = statements.filter(({ statement }) =>
      [statement.Action].flat().some((a) => /^secretsmanager:(Put|Update|Delete|Create)/.test(a)),
    );
    // Only the rotation function (deployed from SAR, not in these policies) changes the secret.
    expect(secretWrites).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', { timeout: 180_000 }, () => {
  for (const [stage, context, label] of [
    ['dev', {}, 'dev'],
    ['prod', {}, 'prod'],
    ['dev', { profile: 'lean' }, 'dev, lean profile'],
  ] as const) {
    it(`reports nothing unacknowledged for ${label}`, () => {
      // Prepare: the synthesized app. Act: run the pack directly over the construct tree.
      const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(
        synthApp(stage, context).app,
      );
      // Assess: every finding is fixed or acknowledged with a reason (warnings included).
      const findings = report.violations.map(
        (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
      expect(findings).toEqual([]);
    });
  }
});

describe('whole app', () => {
  it('synthesizes every stack with the nag plugin registered and no validation failure', () => {
    const { app, data, ingest, api, billing, observability, web, webContent } = synthApp('dev');
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(
      [data, ingest, api, billing, observability, web, webContent].map((s) => s.stackName).sort(),
    );
    for (const stack of assembly.stacks)
      expect(Object.keys(stack.template.Resources ?? {}).length).toBeGreaterThan(0);
  });

  it('deploys ingest and API after the data stack (schema first)', () => {
    const { data, ingest, api, billing, observability } = synthApp('dev');
    expect(ingest.dependencies).toContain(data);
    expect(api.dependencies).toContain(data);
    expect(billing.dependencies).toContain(data);
    // docs/deploy.md's order: Web, Data, Ingest, Billing, Api (/health gets the Flexprice
    // secret's ARN), WebContent, Observability. The dashboard reads the API, queue and DB ids.
    expect(observability.dependencies).toEqual(expect.arrayContaining([data, ingest, api]));
    expect(billing.dependencies).not.toContain(observability);
    expect(api.dependencies).toContain(billing);
    expect(ingest.dependencies).toEqual([data]);
  });
});
