import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { fetchJwks, onEvent } from '../../lib/constructs/jwks-handler';

const ISSUER = 'https://cognito-idp.ap-south-1.amazonaws.com/ap-south-1_test';
const KEY = { kid: 'k1', kty: 'RSA', n: 'modulus', e: 'AQAB', alg: 'RS256', use: 'sig', x5c: ['long-cert'] };

const jsonResponse = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status });

function event(requestType: 'Create' | 'Update' | 'Delete', issuer: unknown = ISSUER) {
  return {
    RequestType: requestType,
    PhysicalResourceId: ISSUER,
    ResourceProperties: { ServiceToken: 'arn', Issuer: issuer },
  } as unknown as CloudFormationCustomResourceEvent;
}

describe('JWKS custom resource handler', () => {
  it('fetches the issuer JWKS and keeps only the fields a verifier needs', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse({ keys: [KEY] }));
    const result = await onEvent(event('Create'), fetchImpl as unknown as typeof fetch);
    expect(fetchImpl).toHaveBeenCalledWith(`${ISSUER}/.well-known/jwks.json`, expect.anything());
    expect(result.PhysicalResourceId).toBe(ISSUER);
    expect(JSON.parse(result.Data?.Jwks ?? '')).toEqual({
      keys: [{ kid: 'k1', kty: 'RSA', n: 'modulus', e: 'AQAB', alg: 'RS256', use: 'sig' }],
    });
  });

  it('retries transient failures', async () => {
    const fetchImpl = vi
      .fn()
      .mockRejectedValueOnce(new Error('socket hang up'))
      .mockResolvedValueOnce(jsonResponse({}, 503))
      .mockResolvedValueOnce(jsonResponse({ keys: [KEY] }));
    await expect(fetchJwks(ISSUER, fetchImpl as unknown as typeof fetch)).resolves.toContain('"kid":"k1"');
    expect(fetchImpl).toHaveBeenCalledTimes(3);
  });

  it('fails the deployment when no usable key comes back', async () => {
    const fetchImpl = vi.fn(async () => jsonResponse({ keys: [{ kid: 'x' }] }));
    await expect(onEvent(event('Update'), fetchImpl as unknown as typeof fetch)).rejects.toThrow(
      /3 attempts/,
    );
  });

  it('does nothing on delete and refuses a non-https issuer', async () => {
    const fetchImpl = vi.fn();
    await expect(onEvent(event('Delete'), fetchImpl as unknown as typeof fetch)).resolves.toEqual({
      PhysicalResourceId: ISSUER,
    });
    expect(fetchImpl).not.toHaveBeenCalled();
    await expect(
      onEvent(event('Create', 'http://evil'), fetchImpl as unknown as typeof fetch),
    ).rejects.toThrow(/https/);
  });
});
