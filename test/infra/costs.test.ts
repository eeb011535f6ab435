/**
 * docs/deploy.md's cost table names how many alarms and secrets a stage has; this keeps those
 * numbers equal to what the templates create (issue 16 item 9), so a new alarm updates the doc.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../lib/paths';
import { resourcesOf, synthApp } from './helpers';

const DEPLOY_MD = readFileSync(path.join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');

/** How many resources of `type` the whole app has. */
function count(stage: 'dev' | 'prod', context: Record<string, unknown>, type: string): number {
  return Object.values(synthApp(stage, context).templates).reduce(
    (n, t) => n + resourcesOf(t, type).length,
    0,
  );
}

describe('docs/deploy.md cost table', { timeout: 180_000 }, () => {
  it('states the real number of CloudWatch alarms (standard dev and prod, lean dev)', () => {
    const standard = count('dev', {}, 'AWS::CloudWatch::Alarm');
    const lean = count('dev', { profile: 'lean' }, 'AWS::CloudWatch::Alarm');
    const prod = count('prod', {}, 'AWS::CloudWatch::Alarm');
    expect(DEPLOY_MD, 'update the alarms row of the cost table in docs/deploy.md').toContain(
      `CloudWatch alarms, 0.10 USD each: **${standard}** standard, **${lean}** lean (prod: **${prod}**,`,
    );
  });

  it('states the real number of secrets and the NAT gateway public IPv4 address', () => {
    const secrets = count('dev', {}, 'AWS::SecretsManager::Secret');
    expect(count('dev', { profile: 'lean' }, 'AWS::SecretsManager::Secret')).toBe(secrets);
    expect(DEPLOY_MD, 'update the secrets row of the cost table in docs/deploy.md').toContain(
      `Secrets (${secrets} × 0.40`,
    );
    // One Elastic IP with the NAT gateway; none without it.
    expect(count('dev', {}, 'AWS::EC2::EIP')).toBe(1);
    expect(count('dev', { profile: 'lean' }, 'AWS::EC2::EIP')).toBe(0);
    expect(DEPLOY_MD).toContain("the NAT gateway's public IPv4 address");
  });
});
