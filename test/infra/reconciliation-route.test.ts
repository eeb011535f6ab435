/**
 * POST /api/admin/reconciliation calls Flexprice from the API stack (docs/deploy.md "The
 * reconciliation route"): with Flexprice egress its function, and no other API function, gets
 * what the reconcile job has (egress subnets, HTTPS out, the URL, a read of the key); without
 * egress it gets none of it and answers "not configured".
 */

import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes';
import { FLEXPRICE_ROUTE_ENTRIES } from '../../lib/stacks/api-stack';
import { resourcesOf, synthApp } from './helpers';

type Resource = { Properties?: Record<string, unknown> };
const props = (r: Resource) => r.Properties ?? {};

const CONFIGURATIONS = [
  { name: 'standard', context: {}, egress: true },
  { name: 'standard, flexprice=off', context: { flexprice: 'off' }, egress: false },
  { name: 'lean', context: { profile: 'lean' }, egress: false },
  { name: 'lean, flexprice=on', context: { profile: 'lean', flexprice: 'on' }, egress: true },
] as const;

/** Whether a policy document lets its roles read the Flexprice key (by Ref or by import). */
const readsFlexpriceKey = (policy: Resource) =>
  (props(policy).PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement.some(
    (s) =>
      [s.Action].flat().includes('secretsmanager:GetSecretValue') &&
      JSON.stringify(s.Resource).includes('FlexpriceApiKey'),
  );

const roleIdOf = (fn: Resource) => (props(fn).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
const serviceOf = (fn: Resource) =>
  (props(fn).Environment as { Variables: Record<string, unknown> }).Variables.POWERTOOLS_SERVICE_NAME;

/** The POWERTOOLS_SERVICE_NAME of every function, across the app, whose role can read the key. */
function keyReaders(context: Record<string, unknown>): string[] {
  const readers: string[] = [];
  for (const template of Object.values(synthApp('dev', context).templates)) {
    const roles = new Set(
      resourcesOf(template, 'AWS::IAM::Policy')
        .filter(([, p]) => readsFlexpriceKey(p))
        .flatMap(([, p]) => (props(p).Roles as { Ref: string }[]).map((r) => r.Ref)),
    );
    for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      if (fn.Properties?.Role && roles.has(roleIdOf(fn))) readers.push(String(serviceOf(fn)));
    }
  }
  return readers.sort();
}

describe('POST /api/admin/reconciliation in AWS', { timeout: 240_000 }, () => {
  for (const { name, context, egress } of CONFIGURATIONS) {
    const { templates } = synthApp('dev', context);
    const api = templates.api;
    const functions = resourcesOf(api, 'AWS::Lambda::Function');
    const [, route] =
      functions.find(([, f]) => serviceOf(f) === 'reconciliation-post') ??
      (() => {
        throw new Error('no reconciliation-post function');
      })();
    const vpc = route.Properties?.VpcConfig as { SubnetIds: unknown; SecurityGroupIds: unknown[] };
    const env = JSON.stringify(route.Properties?.Environment);

    if (egress) {
      it(`${name}: reaches Flexprice like the reconcile job (egress subnets, its HTTPS-only group, URL, key)`, () => {
        expect(JSON.stringify(vpc.SubnetIds)).toContain('egress');
        expect(JSON.stringify(vpc.SubnetIds)).not.toContain('isolated');
        // The shared function group (imported from Data: database, Secrets Manager) and its own.
        expect(vpc.SecurityGroupIds).toHaveLength(2);
        const own = vpc.SecurityGroupIds.find((g) => JSON.stringify(g).includes('Fn::GetAtt'));
        const groups = resourcesOf(api, 'AWS::EC2::SecurityGroup');
        const [ownId] = (own as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
        const group = groups.find(([id]) => id === ownId)?.[1];
        expect(group?.Properties?.SecurityGroupEgress).toEqual([
          expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
        ]);
        expect(route.Properties?.Environment).toMatchObject({
          Variables: { FLEXPRICE_API_URL: 'https://us.api.flexprice.io/v1' },
        });
        expect(env).toContain('FLEXPRICE_API_KEY_SECRET_ARN');
        expect(env).toContain('FlexpriceApiKey');
      });
    } else {
      it(`${name}: stays isolated with no Flexprice settings (it answers "not configured")`, () => {
        expect(JSON.stringify(vpc.SubnetIds)).toContain('isolated');
        expect(JSON.stringify(vpc.SubnetIds)).not.toContain('egress');
        expect(vpc.SecurityGroupIds).toHaveLength(1);
        expect(env).not.toContain('FLEXPRICE');
      });
    }

    it(`${name}: no other API function leaves the VPC or gets Flexprice's URL`, () => {
      const others = functions.filter(([, f]) => !FLEXPRICE_ROUTE_ENTRIES.includes(String(serviceOf(f))));
      for (const [id, fn] of others) {
        const subnets = JSON.stringify(
          (fn.Properties?.VpcConfig as { SubnetIds?: unknown })?.SubnetIds ?? '',
        );
        // A route function sits in the VPC's isolated subnets: one outside any VPC would have no
        // SubnetIds at all (the deploy-time JWKS fetcher, no route, is outside by design).
        if (ROUTES.some((r) => r.entry === serviceOf(fn))) expect(subnets, id).toContain('isolated');
        expect(subnets, id).not.toContain('egress');
        expect(JSON.stringify(fn.Properties?.Environment ?? {}), id).not.toContain('FLEXPRICE_API_URL');
      }
    });

    it(`${name}: only the sync, the reconcile job${egress ? ' and this route' : ''} can read the Flexprice key`, () => {
      expect(keyReaders(context)).toEqual(
        ['billing-sync', 'reconcile', ...(egress ? ['reconciliation-post'] : [])].sort(),
      );
    });
  }
});
