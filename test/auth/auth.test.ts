import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { handler as market } from '../../functions/market';
import { generateIssuerKey, signAccessToken } from '../../local/issuer';
import { useTestDatabase } from '../helpers/db';
import { apiEvent, lambdaContext } from '../helpers/events';
import { token } from '../helpers/tokens';
import { TEST_ISSUER } from '../setup/env';

const db = useTestDatabase();

const call = (headers: Record<string, string>) =>
  market(apiEvent({ path: '/api/market', headers }), lambdaContext('market'));
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

function body(result: Awaited<ReturnType<typeof market>>) {
  return JSON.parse(result.body ?? '{}');
}

async function expect401(headers: Record<string, string>, detail: RegExp) {
  const result = await call(headers);
  expect(result.statusCode).toBe(401);
  expect(result.headers?.['content-type']).toBe('application/problem+json');
  expect(result.headers?.['www-authenticate']).toMatch(/^Bearer/);
  const problem = body(result);
  expect(problem).toMatchObject({ status: 401, title: 'Unauthorized', type: '/problems/unauthorized' });
  expect(problem.detail).toMatch(detail);
}

function flip(segment: string): string {
  const c = segment.at(-2) === 'A' ? 'B' : 'A';
  return `${segment.slice(0, -2)}${c}${segment.at(-1)}`;
}

describe('access token verification', () => {
  it('rejects a request without a token', () => expect401({}, /Missing Authorization/));

  it('rejects a header that is not a bearer token', async () => {
    await expect401({ authorization: 'Basic dXNlcjpwYXNz' }, /Bearer/);
    await expect401({ authorization: 'Bearer not-a-jwt' }, /Bearer/);
  });

  it('rejects a malformed token', () => expect401(bearer('aaa.bbb.ccc'), /malformed|invalid/));

  it('rejects an expired token', async () => {
    await expect401(bearer(await token('u-expired', { ttlSeconds: -60 })), /expired/);
  });

  it('rejects a token whose payload was tampered with', async () => {
    const [header, payload, signature] = (await token('u-tamper')).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['admin'] })).toString(
      'base64url',
    );
    await expect401(bearer(`${header}.${forged}.${signature}`), /signature/);
    await expect401(bearer(`${header}.${payload}.${flip(signature ?? '')}`), /signature/);
  });

  it('rejects a token from another issuer', async () => {
    await expect401(bearer(await token('u-iss', { issuer: 'https://evil.example.com' })), /issuer/);
  });

  it('rejects a token signed with an unknown key', async () => {
    const stranger = await generateIssuerKey();
    await expect401(
      bearer(await signAccessToken(stranger, { sub: 'u-key', issuer: TEST_ISSUER })),
      /unknown key/,
    );
  });

  it('rejects a token issued to another client', async () => {
    await expect401(bearer(await token('u-client', { clientId: 'someone-elses-app' })), /another client/);
  });

  it('rejects an ID token used as an access token', async () => {
    await expect401(
      bearer(await token('u-id', { claims: { token_use: 'id', aud: 'local-app-client' } })),
      /not an access token/,
    );
  });

  it('rejects alg none', async () => {
    const real = await token('u-none');
    const payload = real.split('.')[1];
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expect401(bearer(`${header}.${payload}.`), /.+/);
  });

  it('rejects an HS256 (symmetric) token', async () => {
    const forged = await new SignJWT({ token_use: 'access', client_id: 'local-app-client' })
      .setProtectedHeader({ alg: 'HS256', kid: 'x' })
      .setSubject('u-hs')
      .setIssuer(TEST_ISSUER)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('secret'));
    await expect401(bearer(forged), /.+/);
  });

  it('accepts a valid token and creates the user once, with email', async () => {
    const t = await token('user-alice', { email: 'alice@example.com' });
    expect((await call(bearer(t))).statusCode).toBe(200);
    expect((await call(bearer(t))).statusCode).toBe(200);
    const users = await db.current.sql`SELECT sub, email FROM users WHERE sub = 'user-alice'`;
    expect(users).toEqual([{ sub: 'user-alice', email: 'alice@example.com' }]);
  });

  it('creates no user for a rejected token', async () => {
    await call(bearer(await token('user-mallory', { ttlSeconds: -1 })));
    expect(await db.current.sql`SELECT sub FROM users WHERE sub = 'user-mallory'`).toEqual([]);
  });
});
