/**
 * The local issuer as a small OIDC provider, so the web app signs in with the same
 * authorization code + PKCE flow (and the same client library) as against Cognito:
 * discovery, JWKS, /authorize (the sign-in page), /token (authorization code and refresh token
 * grants), /revoke (RFC 7009, refresh tokens only, like Cognito's /oauth2/revoke), end-session.
 * Mounted on the local API server under /local-issuer. Tokens have Cognito's shapes
 * (`localIdentity`): an e-mail typed at sign-in becomes a UUID username and an ID-token `email`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type IssuerKey, localIdentity, signAccessToken, signIdToken } from '../issuer';
import { type CodeStore, createCodeStore, OAuthError } from './codes';
import { createRefreshTokenStore, type RefreshTokenStore, type Session } from './refresh';
import { errorPage, SIGNIN_CSS, signInPage } from './signin-page';

export const ISSUER_PATH = '/local-issuer';
const MAX_FORM_BYTES = 16 * 1024;
const USERNAME = /^[A-Za-z0-9._@+-]{1,128}$/;

export interface OidcProviderOptions {
  key: IssuerKey;
  /** The `iss` claim of every token (fixed, so `npm run token` and the verifier agree). */
  issuer: string;
  clientId: string;
  /** Redirect and post-logout URIs the client registered; matched exactly. */
  redirectUris: readonly string[];
  /** Origin for the discovery document's endpoints when the Host header is not a local one. */
  fallbackOrigin: string;
  codes?: CodeStore;
  refreshTokens?: RefreshTokenStore;
  /** Lifetime of access and ID tokens (default 900 s, prod's 15 minutes; tests shorten it). */
  tokenTtlSeconds?: number;
}

/** Cognito's refresh and revocation endpoints accept only these token requests from our public client. */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

function send(res: ServerResponse, status: number, type: string, body: string, headers = {}) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function html(res: ServerResponse, status: number, body: string, formTarget?: string) {
  const formAction = ["'self'", formTarget].filter(Boolean).join(' ');
  send(res, status, 'text/html; charset=utf-8', body, {
    'content-security-policy': `default-src 'none'; style-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > MAX_FORM_BYTES) throw new OAuthError('invalid_request', 'The request is too large');
  }
  return new URLSearchParams(text);
}

/** The origin the browser used, if it is a local one (so the dev server's proxy works too). */
function originOf(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host ?? '';
  return /^(127\.0\.0\.1|localhost):\d{1,5}$/.test(host) ? `http://${host}` : fallback;
}

export function createOidcProvider(o: OidcProviderOptions): RequestHandler {
  const codes = o.codes ?? createCodeStore();
  const refreshTokens = o.refreshTokens ?? createRefreshTokenStore();
  const ttl = o.tokenTtlSeconds ?? 900;

  /** Checks that must pass before anything is sent back to redirect_uri (RFC 6749 §4.1.2.1). */
  const checkAuthorizeRequest = (p: URLSearchParams): string | null => {
    if (p.get('client_id') !== o.clientId) return 'Unknown client_id.';
    if (!o.redirectUris.includes(p.get('redirect_uri') ?? ''))
      return 'redirect_uri is not registered for this client.';
    if (p.get('response_type') !== 'code') return 'response_type must be "code".';
    if (
      p.get('code_challenge_method') !== 'S256' ||
      !/^[A-Za-z0-9_-]{43}$/.test(p.get('code_challenge') ?? '')
    )
      return 'PKCE is required: code_challenge with code_challenge_method S256.';
    return null;
  };
  const carried = (p: URLSearchParams) =>
    Object.fromEntries(
      [
        'client_id',
        'redirect_uri',
        'response_type',
        'scope',
        'state',
        'nonce',
        'code_challenge',
        'code_challenge_method',
      ]
        .filter((k) => p.has(k))
        .map((k) => [k, p.get(k) ?? '']),
    );

  const discovery = (origin: string) => ({
    issuer: o.issuer,
    authorization_endpoint: `${origin}${ISSUER_PATH}/authorize`,
    token_endpoint: `${origin}${ISSUER_PATH}/token`,
    end_session_endpoint: `${origin}${ISSUER_PATH}/logout`,
    revocation_endpoint: `${origin}${ISSUER_PATH}/revoke`,
    jwks_uri: `${origin}${ISSUER_PATH}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'aws.cognito.signin.user.admin'],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
  });

  /** New access and ID tokens for a session (the ID token echoes the nonce of a fresh sign-in only). */
  const mint = async (session: Session, nonce: string | null) => {
    const who = localIdentity(session.name);
    const groups = session.admin ? ['admin'] : [];
    const common = { sub: who.sub, username: who.username, groups, issuer: o.issuer, clientId: o.clientId };
    return {
      access_token: await signAccessToken(o.key, { ...common, ttlSeconds: ttl }),
      id_token: await signIdToken(o.key, {
        ...common,
        email: who.email,
        authTime: session.authTime,
        nonce,
        ttlSeconds: ttl,
      }),
      token_type: 'Bearer',
      expires_in: ttl,
    };
  };

  const oauthError = (res: ServerResponse, error: unknown) => {
    if (!(error instanceof OAuthError)) throw error;
    const status = error.error === 'invalid_client' ? 401 : 400;
    send(
      res,
      status,
      'application/json',
      JSON.stringify({ error: error.error, error_description: error.description }),
    );
  };

  const checkClient = (form: URLSearchParams) => {
    if (!form.get('client_id')) throw new OAuthError('invalid_request', 'Missing client_id');
    if (form.get('client_id') !== o.clientId) throw new OAuthError('invalid_client', 'Unknown client');
  };

  /** Authorization code → access, ID and refresh token (RFC 6749 §4.1.3). */
  const codeGrant = async (form: URLSearchParams) => {
    const missing = ['code', 'redirect_uri', 'client_id', 'code_verifier'].filter((k) => !form.get(k));
    if (missing.length) throw new OAuthError('invalid_request', `Missing ${missing.join(', ')}`);
    checkClient(form);
    const grant = codes.redeem({
      code: form.get('code') ?? '',
      clientId: form.get('client_id') ?? '',
      redirectUri: form.get('redirect_uri') ?? '',
      codeVerifier: form.get('code_verifier') ?? '',
    });
    const session: Session = {
      clientId: grant.clientId,
      name: grant.username,
      admin: grant.admin,
      scope: grant.scope,
      authTime: Math.floor(Date.now() / 1000),
    };
    return {
      ...(await mint(session, grant.nonce)),
      refresh_token: refreshTokens.issue(session),
      scope: grant.scope,
    };
  };

  /**
   * Refresh token → new access and ID tokens (RFC 6749 §6), as Cognito answers: no new refresh
   * token (no rotation), the scope of the original sign-in (a `scope` parameter is ignored).
   */
  const refreshGrant = async (form: URLSearchParams) => {
    if (!form.get('refresh_token')) throw new OAuthError('invalid_request', 'Missing refresh_token');
    checkClient(form);
    const session = refreshTokens.use(form.get('refresh_token') ?? '', o.clientId);
    return { ...(await mint(session, null)), scope: session.scope };
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const form = await readForm(req);
      const grantType = form.get('grant_type');
      let body: object;
      if (grantType === 'authorization_code') body = await codeGrant(form);
      else if (grantType === 'refresh_token') body = await refreshGrant(form);
      else throw new OAuthError('unsupported_grant_type', 'Use authorization_code or refresh_token');
      send(res, 200, 'application/json', JSON.stringify(body), { pragma: 'no-cache' });
    } catch (error) {
      oauthError(res, error);
    }
  };

  /**
   * RFC 7009 revocation, as Cognito's /oauth2/revoke: refresh tokens only (an access or ID token
   * is `unsupported_token_type`); 200 with an empty body, also for a token it does not know.
   * The access tokens already issued stay valid until their `exp` for an offline verifier.
   */
  const revoke = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const form = await readForm(req);
      const value = form.get('token');
      if (!value) throw new OAuthError('invalid_request', 'Missing token');
      checkClient(form);
      if (JWT.test(value) || form.get('token_type_hint') === 'access_token')
        throw new OAuthError('unsupported_token_type', 'Only refresh tokens can be revoked');
      refreshTokens.revoke(value, o.clientId);
      send(res, 200, 'application/json', '');
    } catch (error) {
      oauthError(res, error);
    }
  };

  const authorize = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const params = req.method === 'POST' ? await readForm(req) : url.searchParams;
    const problem = checkAuthorizeRequest(params);
    if (problem) return html(res, 400, errorPage('Sign-in request rejected', problem));
    const redirectUri = params.get('redirect_uri') ?? '';
    const target = new URL(redirectUri).origin;
    if (req.method !== 'POST') return html(res, 200, signInPage({ params: carried(params) }), target);

    const username = (params.get('username') ?? '').trim();
    if (!USERNAME.test(username)) {
      const error = username ? 'Use letters, digits and . _ @ + - only (at most 128)' : 'Enter a username';
      return html(res, 400, signInPage({ params: carried(params), error, username }), target);
    }
    const code = codes.issue({
      clientId: o.clientId,
      redirectUri,
      codeChallenge: params.get('code_challenge') ?? '',
      username,
      admin: params.get('admin') === '1',
      nonce: params.get('nonce'),
      scope: params.get('scope') ?? 'openid',
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = params.get('state');
    if (state) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString(), 'cache-control': 'no-store' });
    res.end();
  };

  return async (req, res, url) => {
    if (!url.pathname.startsWith(`${ISSUER_PATH}/`)) return false;
    const route = `${req.method} ${url.pathname.slice(ISSUER_PATH.length)}`;
    switch (route) {
      case 'GET /.well-known/openid-configuration':
        send(res, 200, 'application/json', JSON.stringify(discovery(originOf(req, o.fallbackOrigin))), {
          'cache-control': 'max-age=60',
        });
        return true;
      case 'GET /.well-known/jwks.json':
        send(res, 200, 'application/json', JSON.stringify(o.key.publicJwks));
        return true;
      case 'GET /signin.css':
        send(res, 200, 'text/css; charset=utf-8', SIGNIN_CSS, { 'cache-control': 'max-age=300' });
        return true;
      case 'GET /authorize':
      case 'POST /authorize':
        await authorize(req, res, url);
        return true;
      case 'POST /token':
        await token(req, res);
        return true;
      case 'POST /revoke':
        await revoke(req, res);
        return true;
      case 'GET /logout': {
        // Stateless issuer: there is no session to end here; the app dropped its tokens already.
        const target = url.searchParams.get('post_logout_redirect_uri') ?? '';
        if (!o.redirectUris.includes(target))
          html(
            res,
            400,
            errorPage('Sign-out request rejected', 'post_logout_redirect_uri is not registered.'),
          );
        else {
          res.writeHead(302, { location: target, 'cache-control': 'no-store' });
          res.end();
        }
        return true;
      }
      default:
        return false;
    }
  };
}
