/**
 * The local OIDC provider's code rules (RFC 6749 + PKCE): a code works once, within 60 s, for
 * the redirect URI and verifier it was issued for; anything else is `invalid_grant`. Then the
 * whole flow over HTTP, ending in an access token the API's own verifier accepts; Cognito's
 * token shapes for an e-mail sign-in; the refresh grant (not rotating, as Cognito's default)
 * and RFC 7009 revocation of refresh tokens.
 */
import { createServer, type Server } from 'node:http';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createVerifier } from '../../functions/platform/auth';
import { LOCAL_CLIENT_ID, LOCAL_ISSUER, localIdentity } from '../../local/issuer';
import { CODE_TTL_MS, createCodeStore, type Grant, OAuthError, s256 } from '../../local/oidc/codes';
import { createOidcProvider } from '../../local/oidc/provider';
import { createRefreshTokenStore, REFRESH_TTL_MS } from '../../local/oidc/refresh';

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

describe('refresh tokens', () => {
  const session = { clientId: LOCAL_CLIENT_ID, name: 'asha', admin: false, scope: 'openid', authTime: 1 };

  it('renew the same session again and again (no rotation), until revoked', () => {
    const store = createRefreshTokenStore();
    const token = store.issue(session);
    expect(store.use(token, LOCAL_CLIENT_ID)).toEqual(session);
    expect(store.use(token, LOCAL_CLIENT_ID)).toEqual(session);
    store.revoke(token, LOCAL_CLIENT_ID);
    expect(invalidGrant(() => store.use(token, LOCAL_CLIENT_ID))).toBe('invalid_grant');
  });

  it('expire after 30 days, and belong to the client they were issued to', () => {
    let now = 5_000_000;
    const store = createRefreshTokenStore({ now: () => now });
    const token = store.issue(session);
    expect(invalidGrant(() => store.use(token, 'another-client'))).toBe('invalid_grant');
    expect(invalidGrant(() => store.revoke(token, 'another-client'))).toBe('invalid_grant');
    now += REFRESH_TTL_MS - 1;
    expect(store.use(token, LOCAL_CLIENT_ID).name).toBe('asha');
    now += 1;
    expect(invalidGrant(() => store.use(token, LOCAL_CLIENT_ID))).toBe('invalid_grant');
  });

  it('ignore the revocation of a token they never issued (RFC 7009 §2.2)', () => {
    expect(() => createRefreshTokenStore().revoke('never-issued', LOCAL_CLIENT_ID)).not.toThrow();
  });
});

describe('local identities in Cognito shapes', () => {
  it('an e-mail becomes a UUID username, the same for every spelling of the address', () => {
    const who = localIdentity('Asha.Rao@example.in');
    expect(who.sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(who).toEqual({ sub: who.sub, username: who.sub, email: 'Asha.Rao@example.in' });
    expect(localIdentity('asha.rao@EXAMPLE.in').sub).toBe(who.sub);
    expect(localIdentity('ravi@example.in').sub).not.toBe(who.sub);
  });

  it('a plain username stays the sub and username (SPEC §8)', () => {
    expect(localIdentity('asha')).toEqual({ sub: 'asha', username: 'asha', email: null });
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
      tokenTtlSeconds: 120,
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
      revocation_endpoint: `${origin}/local-issuer/revoke`,
      grant_types_supported: ['authorization_code', 'refresh_token'],
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

  interface Tokens {
    access_token: string;
    id_token: string;
    refresh_token?: string;
    expires_in: number;
  }
  const verifier = () =>
    createVerifier({ kind: 'local', issuer: LOCAL_ISSUER, clientId: LOCAL_CLIENT_ID, jwks: key.publicJwks });
  const form = (body: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(body) });
  const refresh = (refreshToken: string) =>
    fetch(
      `${origin}/local-issuer/token`,
      form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: LOCAL_CLIENT_ID }),
    );
  const revoke = (token: string, clientId = LOCAL_CLIENT_ID) =>
    fetch(
      `${origin}/local-issuer/revoke`,
      form({ token, token_type_hint: 'refresh_token', client_id: clientId }),
    );

  it("signing in with an e-mail gives Cognito's shapes: UUID username, the e-mail only in the ID token", async () => {
    const tokens = (await (await exchange(await signIn('Meera@example.in', false))).json()) as Tokens;
    const access = decodeJwt(tokens.access_token);
    const id = decodeJwt(tokens.id_token);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(access.sub).toMatch(uuid);
    expect(access.username).toBe(access.sub);
    expect(access).not.toHaveProperty('email');
    expect(id).toMatchObject({
      sub: access.sub,
      'cognito:username': access.sub,
      email: 'Meera@example.in',
      email_verified: true,
      aud: LOCAL_CLIENT_ID,
      token_use: 'id',
      nonce: 'n-1',
    });
    // Signing in again with the address is the same user.
    const again = (await (await exchange(await signIn('meera@example.in', false))).json()) as Tokens;
    expect(decodeJwt(again.access_token).sub).toBe(access.sub);
    await expect(verifier().verify(tokens.access_token)).resolves.toMatchObject({
      sub: access.sub,
      email: null,
    });
  });

  it('renews with the refresh token: new tokens for the same user, no new refresh token, the same one works again', async () => {
    const first = (await (await exchange(await signIn('kiran', true))).json()) as Tokens;
    expect(first.refresh_token).toEqual(expect.any(String));
    expect(first.expires_in).toBe(120);
    const res = await refresh(first.refresh_token ?? '');
    expect(res.status).toBe(200);
    const renewed = (await res.json()) as Tokens;
    expect(renewed).not.toHaveProperty('refresh_token');
    expect(renewed.access_token).not.toBe(first.access_token);
    await expect(verifier().verify(renewed.access_token)).resolves.toMatchObject({
      sub: 'kiran',
      groups: ['admin'],
    });
    const id = decodeJwt(renewed.id_token);
    expect(id.auth_time).toBe(decodeJwt(first.id_token).auth_time);
    expect(id).not.toHaveProperty('nonce');
    expect((await refresh(first.refresh_token ?? '')).status).toBe(200);
  });

  it('a revoked refresh token is refused by the token endpoint; revoking twice or an unknown token is still 200', async () => {
    const { refresh_token: token = '' } = (await (
      await exchange(await signIn('leela', false))
    ).json()) as Tokens;
    expect((await revoke(token)).status).toBe(200);
    const refused = await refresh(token);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await revoke(token)).status).toBe(200);
    expect((await revoke('never-issued')).status).toBe(200);
  });

  it('revocation refuses access tokens (as Cognito: refresh tokens only) and other clients', async () => {
    const tokens = (await (await exchange(await signIn('dev', false))).json()) as Tokens;
    const accessToken = await revoke(tokens.access_token);
    expect(accessToken.status).toBe(400);
    expect(await accessToken.json()).toMatchObject({ error: 'unsupported_token_type' });
    expect((await revoke(tokens.refresh_token ?? '', 'another-client')).status).toBe(401);
    expect((await refresh(tokens.refresh_token ?? '')).status).toBe(200);
  });

  it('refuses an unknown grant type and a refresh without a token', async () => {
    const password = await fetch(
      `${origin}/local-issuer/token`,
      form({ grant_type: 'password', client_id: LOCAL_CLIENT_ID }),
    );
    expect(await password.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const empty = await refresh('');
    expect(await empty.json()).toMatchObject({ error: 'invalid_request' });
  });
});
