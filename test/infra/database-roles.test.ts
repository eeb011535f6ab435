/**
 * Two database users in AWS (issue 16 item 3, SPEC §7 "Least privilege"): the master for the
 * migration runner only, the application role `stock_app` for every other function, each with
 * its own secret and rotation, both registered with RDS Proxy.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { APP_USERNAME, MASTER_USERNAME, PASSWORD_EXCLUDE_CHARS } from '../../lib/constructs/database';
import { BUNDLED_MIGRATIONS_DIR } from '../../lib/constructs/migrations';
import { resourcesOf, type Synthed, synthApp } from './helpers';

const CONFIGURATIONS = [
  ['dev', {}],
  ['prod', {}],
  ['dev', { profile: 'lean' }],
] as const;

/** Logical ids of a user's secret and of its attachment to the instance, in the Data stack. */
function secretIds(data: Template, username: string): { secret: string; attachment: string } {
  const [[secret] = ['missing']] = resourcesOf(data, 'AWS::SecretsManager::Secret').filter(([, s]) =>
    JSON.stringify(s.Properties?.GenerateSecretString).includes(`\\"username\\":\\"${username}\\"`),
  );
  const [[attachment] = ['missing']] = resourcesOf(
    data,
    'AWS::SecretsManager::SecretTargetAttachment',
  ).filter(([, a]) => JSON.stringify(a.Properties?.SecretId) === JSON.stringify({ Ref: secret }));
  return { secret, attachment };
}

/** Whether a CloudFormation value names the secret (in its stack, or imported from Data). */
const mentions = (value: unknown, ids: { secret: string; attachment: string }) => {
  const text = JSON.stringify(value);
  return text.includes(ids.secret) || text.includes(ids.attachment);
};

type Fn = { stack: string; id: string; role: string; vars: Record<string, unknown> };

function functionsOf(synthed: Synthed): Fn[] {
  return Object.entries(synthed.templates).flatMap(([stack, t]) =>
    resourcesOf(t, 'AWS::Lambda::Function').map(([id, f]) => ({
      stack,
      id,
      role: JSON.stringify(f.Properties?.Role),
      vars:
        (f.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
    })),
  );
}

for (const [stage, context] of CONFIGURATIONS) {
  const label = `${stage}${'profile' in context ? ', lean' : ''}`;
  describe(`database users (${label})`, { timeout: 180_000 }, () => {
    const synthed = synthApp(stage, context);
    const { data } = synthed.templates;
    const master = secretIds(data, MASTER_USERNAME);
    const app = secretIds(data, APP_USERNAME);
    const functions = functionsOf(synthed);
    const runner = functions.find((f) => f.vars.MIGRATIONS_DIR === BUNDLED_MIGRATIONS_DIR);

    it('generates the application role its own secret, attached to the instance', () => {
      expect(app.secret).not.toBe('missing');
      data.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: {
          SecretStringTemplate: JSON.stringify({ username: APP_USERNAME }),
          GenerateStringKey: 'password',
          ExcludeCharacters: PASSWORD_EXCLUDE_CHARS,
          PasswordLength: 30,
        },
      });
      data.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
        SecretId: { Ref: app.secret },
        TargetType: 'AWS::RDS::DBInstance',
      });
    });

    it('rotates it alone (single user), not on creation, and only after the first migration', () => {
      const [[, schedule] = ['', undefined]] = resourcesOf(
        data,
        'AWS::SecretsManager::RotationSchedule',
      ).filter(([, s]) => mentions(s.Properties?.SecretId, app));
      expect(schedule?.Properties).toMatchObject({
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
        RotateImmediatelyOnUpdate: false,
      });
      const [[trigger] = ['missing']] = resourcesOf(data, 'Custom::Trigger');
      expect(schedule?.DependsOn).toContain(trigger);
      // The runner in turn waits for the app secret (it sets the role's password from it).
      const [[, t] = ['', undefined]] = resourcesOf(data, 'Custom::Trigger');
      expect(t?.DependsOn).toContain(app.attachment);
      // And a failed rotation reaches the alarm topic, like the master's.
      const rules = resourcesOf(data, 'AWS::Events::Rule').filter(([, r]) =>
        JSON.stringify(r.Properties?.EventPattern).includes('RotationFailed'),
      );
      expect(rules.filter(([, r]) => mentions(r.Properties?.EventPattern, app))).toHaveLength(1);
      expect(rules.filter(([, r]) => mentions(r.Properties?.EventPattern, master))).toHaveLength(1);
    });

    it('connects every function but the migration runner as the application role', () => {
      const withDb = functions.filter((f) => 'DB_SECRET_ARN' in f.vars);
      expect(withDb.length).toBeGreaterThan(10);
      expect(runner).toBeDefined();
      for (const f of withDb) {
        if (f === runner) {
          expect(mentions(f.vars.DB_SECRET_ARN, master), f.id).toBe(true);
          expect(mentions(f.vars.APP_DB_SECRET_ARN, app), f.id).toBe(true);
        } else {
          expect(mentions(f.vars.DB_SECRET_ARN, app), `${f.stack}/${f.id}`).toBe(true);
          expect(f.vars.APP_DB_SECRET_ARN, `${f.stack}/${f.id}`).toBeUndefined();
        }
      }
    });

    it('lets no function but the migration runner read the master secret', () => {
      // Prepare: every role some IAM policy lets read the master's or the app's secret.
      const readers = (ids: { secret: string; attachment: string }) =>
        Object.values(synthed.templates).flatMap((t) =>
          resourcesOf(t, 'AWS::IAM::Policy')
            .filter(([, p]) => mentions(p.Properties?.PolicyDocument, ids))
            .flatMap(([, p]) => ((p.Properties?.Roles ?? []) as unknown[]).map((r) => JSON.stringify(r))),
        );
      const functionRoles = new Set(functions.map((f) => f.role));
      const functionReaders = (ids: { secret: string; attachment: string }) =>
        readers(ids).filter((r) => [...functionRoles].some((fr) => fr.includes(JSON.parse(r).Ref)));
      // Assess: of the functions, only the runner reads the master secret (RDS Proxy's own
      // role reads both, to log the users in).
      expect(functionReaders(master)).toHaveLength(1);
      expect(runner?.role).toContain(JSON.parse(functionReaders(master)[0] ?? '{}').Ref);
      expect(functionReaders(app).length).toBeGreaterThan(10);
      if (stage === 'prod' || !('profile' in context)) {
        expect(readers(master).some((r) => r.includes('DatabaseProxyIAMRole'))).toBe(true);
        expect(readers(app).some((r) => r.includes('DatabaseProxyIAMRole'))).toBe(true);
      }
    });

    if (!('profile' in context)) {
      it('registers both secrets with RDS Proxy', () => {
        const [[, proxy] = ['', undefined]] = resourcesOf(data, 'AWS::RDS::DBProxy');
        const auth = proxy?.Properties?.Auth as { SecretArn: unknown; AuthScheme: string }[];
        expect(auth).toHaveLength(2);
        expect(auth.some((a) => mentions(a.SecretArn, master))).toBe(true);
        expect(auth.some((a) => mentions(a.SecretArn, app))).toBe(true);
      });
    }
  });
}
