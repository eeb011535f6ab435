/**
 * Custom resource handler (CDK Provider framework `onEvent`): fetches the Cognito user pool's
 * public JWKS at deploy time so functions in isolated subnets can verify tokens offline
 * (aws-jwt-verify `cacheJwks`) instead of timing out on a fetch they cannot make.
 *
 * Runs outside the VPC. Cognito signing keys are per user pool and do not rotate on their own,
 * so fetching once per deployment (and whenever the issuer changes) is enough.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

export interface JwksResult {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly Jwks: string };
}

interface Jwk {
  readonly kid: string;
  readonly kty: string;
  readonly n: string;
  readonly e: string;
  readonly alg?: string;
  readonly use?: string;
}

const ATTEMPTS = 3;
const TIMEOUT_MS = 5000;

function isJwk(value: unknown): value is Jwk {
  if (typeof value !== 'object' || value === null) return false;
  const k = value as Record<string, unknown>;
  return ['kid', 'kty', 'n', 'e'].every((f) => typeof k[f] === 'string' && k[f] !== '');
}

/**
 * Downloads `<issuer>/.well-known/jwks.json` and returns it minimal (only the fields a verifier
 * reads), so it fits comfortably in a custom-resource response (4 KB) and a Lambda environment.
 */
export async function fetchJwks(issuer: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const res = await fetchImpl(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!res.ok) throw new Error(`GET ${url} returned ${res.status}`);
      const body = (await res.json()) as { keys?: unknown };
      const keys = Array.isArray(body.keys) ? body.keys.filter(isJwk) : [];
      if (keys.length === 0) throw new Error(`GET ${url} returned no usable keys`);
      return JSON.stringify({
        keys: keys.map(({ kid, kty, n, e, alg, use }) => ({ kid, kty, n, e, alg, use })),
      });
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`Could not fetch the JWKS after ${ATTEMPTS} attempts`, { cause: lastError });
}

export async function onEvent(
  event: CloudFormationCustomResourceEvent,
  fetchImpl: typeof fetch = fetch,
): Promise<JwksResult> {
  const issuer = event.ResourceProperties.Issuer;
  if (typeof issuer !== 'string' || !issuer.startsWith('https://')) {
    throw new Error('Property Issuer must be an https URL');
  }
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  return { PhysicalResourceId: issuer, Data: { Jwks: await fetchJwks(issuer, fetchImpl) } };
}

export const handler = (event: CloudFormationCustomResourceEvent): Promise<JwksResult> => onEvent(event);
