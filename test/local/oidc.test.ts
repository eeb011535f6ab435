/**
 * The local OIDC provider's code rules (RFC 6749 + PKCE): a code works once, within 60 s, for
 * the redirect URI and verifier it was issued for; anything else is `invalid_grant`. Then the
 * whole flow over HTTP, ending in an access token the API's own verifier accepts.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createVerifier } from '../../functions/platform/auth';
import { LOCAL_CLIENT_ID, LOCAL_ISSUER } from '../../local/issuer';
import { CODE_TTL_MS, createCodeStore, type Grant, OAuthError, s256 } from '../../local/oidc/codes';
import { createOidcProvider } from '../../local/oidc/provider';

const VERIFIER = `${'a'.repeat(20) + 'B'.repeat(20)}-._~0123`;
const REDIRECT = 'http://127.0.0.1:3000/';
const grant = (over: Partial<Grant> = {}): Grant => ({
  clientId: LOCAL_CLIENT_ID,
  redirectUri: REDIRECT,
  codeChallenge: s256(VERIFIER),
  username: 'asha',
  admin: false,
  nonce: null,
  scope: 'openid',
  ...over,
});
const redemption = (code: string, over = {}) => ({
  code,
  clientId: LOCAL_CLIENT_ID,
  redirectUri: REDIRECT,
  codeVerifier: VERIFIER,
  ...over,
});
const invalidGrant = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthError);
    return (error as OAuthError).error;
  }
  throw new Error('expected a rejection');
};

describe('authorization codes', () => {
  it('exchange once for the grant they stand for', () => {
    const store = createCodeStore();
    const code = store.issue(grant({ username: 'ravi', admin: true }));
    expect(store.redeem(redemption(code))).toMatchObject({ username: 'ravi', admin: true });
  });

  it('refuse a second exchange of the same code', () => {
    const store = createCodeStore();
    const code = store.issue(grant());
    store.redeem(redemption(code));
    expect(invalidGrant(() => store.redeem(redemption(code)))).toBe('invalid_grant');
  });

  it('refuse a wrong code verifier, and the code is spent by the attempt', () => {
    const store = createCodeStore();
    const code = store.issue(grant());
    expect(invalidGrant(() => store.redeem(redemption(code, { codeVerifier: `${VERIFIER}x` })))).toBe(
      'invalid_grant',
    );
    expect(invalidGrant(() => store.redeem(redemption(code)))).toBe('invalid_grant');
  });

  it('expire 60 s after issue', () => {
    let now = 1_000_000;
    const store = createCodeStore({ now: () => now });
    const fresh = store.issue(grant());
    const stale = store.issue(grant());
    now += CODE_TTL_MS - 1;
    expect(store.redeem(redemption(fresh)).username).toBe('asha');
    now += 1;
    expect(invalidGrant(() => store.redeem(redemption(stale)))).toBe('invalid_grant');
  });

  it('refuse another redirect URI, even one differing only by a trailing path', () => {
    const store = createCodeStore();
    const code = store.issue(grant());
    expect(
      invalidGrant(() => store.redeem(redemption(code, { redirectUri: 'http://127.0.0.1:3000/callback' }))),
    ).toBe('invalid_grant');
  });
});

describe('the provider over HTTP', () => {
  let server: Server;
  let origin = '';
  const key = inject('issuerKey');
  beforeAll(async () => {
    const handle = createOidcProvider({
      key,
      issuer: LOCAL_ISSUER,
      clientId: LOCAL_CLIENT_ID,
      redirectUris: [REDIRECT],
      fallbackOrigin: 'http://127.0.0.1:1',
    });
    server = createServer((req, res) => {
      void handle(req, res, new URL(req.url ?? '/', 'http://x')).then((done) => {
        if (!done) res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const authorizeParams = (over: Record<string, string> = {}) =>
    new URLSearchParams({
      client_id: LOCAL_CLIENT_ID,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: s256(VERIFIER),
      code_challenge_method: 'S256',
      ...over,
    });

  const signIn = async (username: string, admin: boolean) => {
    const form = authorizeParams({ username, ...(admin ? { admin: '1' } : {}) });
    const res = await fetch(`${origin}/local-issuer/authorize`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-1');
    return back.searchParams.get('code') ?? '';
  };
  const exchange = (code: string, over: Record<string, string> = {}) =>
    fetch(`${origin}/local-issuer/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        client_id: LOCAL_CLIENT_ID,
        code_verifier: VERIFIER,
        ...over,
      }),
    });

  it('discovery names its endpoints on the origin the browser used', async () => {
    const doc = (await (
      await fetch(`${origin}/local-issuer/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: LOCAL_ISSUER,
      authorization_endpoint: `${origin}/local-issuer/authorize`,
      token_endpoint: `${origin}/local-issuer/token`,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('shows the sign-in page, and refuses a request without PKCE or with an unregistered redirect', async () => {
    const page = await fetch(`${origin}/local-issuer/authorize?${authorizeParams()}`);
    expect(page.status).toBe(200);
    const body = await page.text();
    expect(body).toContain('<label for="username">Username</label>');
    expect(body).toContain('<label for="admin">Administrator</label>');
    expect(body).not.toContain('<script');
    const noPkce = authorizeParams();
    noPkce.delete('code_challenge');
    expect((await fetch(`${origin}/local-issuer/authorize?${noPkce}`)).status).toBe(400);
    const elsewhere = authorizeParams({ redirect_uri: 'http://evil.example/' });
    const rejected = await fetch(`${origin}/local-issuer/authorize?${elsewhere}`, { redirect: 'manual' });
    expect(rejected.status).toBe(400);
  });

  it('signs in, exchanges the code for tokens the API verifier accepts, and refuses the code again', async () => {
    const code = await signIn('priya', true);
    const res = await exchange(code);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as { access_token: string; id_token: string; token_type: string };
    expect(tokens.token_type).toBe('Bearer');
    const verifier = createVerifier({
      kind: 'local',
      issuer: LOCAL_ISSUER,
      clientId: LOCAL_CLIENT_ID,
      jwks: key.publicJwks,
    });
    await expect(verifier.verify(tokens.access_token)).resolves.toMatchObject({
      sub: 'priya',
      groups: ['admin'],
    });
    const again = await exchange(code);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers invalid_grant for a wrong verifier or another redirect URI', async () => {
    const wrongVerifier = await exchange(await signIn('asha', false), { code_verifier: 'x'.repeat(43) });
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toMatchObject({ error: 'invalid_grant' });
    const otherRedirect = await exchange(await signIn('asha', false), {
      redirect_uri: 'http://127.0.0.1:3000/other',
    });
    expect(await otherRedirect.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
