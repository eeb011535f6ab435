/**
 * The local issuer as a small OIDC provider, so the web app signs in with the same
 * authorization code + PKCE flow (and the same client library) as against Cognito:
 * discovery, JWKS, /authorize (the sign-in page), /token, end-session. Mounted on the local
 * API server under /local-issuer. Access tokens keep the shape `npm run token` prints.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type IssuerKey, signAccessToken, signIdToken } from '../issuer';
import { type CodeStore, createCodeStore, OAuthError } from './codes';
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
  tokenTtlSeconds?: number;
}

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
  const ttl = o.tokenTtlSeconds ?? 3600;

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
    jwks_uri: `${origin}${ISSUER_PATH}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'aws.cognito.signin.user.admin'],
    token_endpoint_auth_methods_supported: ['none'],
  });

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const form = await readForm(req);
      if (form.get('grant_type') !== 'authorization_code')
        throw new OAuthError('unsupported_grant_type', 'Only authorization_code is supported');
      const missing = ['code', 'redirect_uri', 'client_id', 'code_verifier'].filter((k) => !form.get(k));
      if (missing.length) throw new OAuthError('invalid_request', `Missing ${missing.join(', ')}`);
      if (form.get('client_id') !== o.clientId) throw new OAuthError('invalid_client', 'Unknown client');
      const grant = codes.redeem({
        code: form.get('code') ?? '',
        clientId: form.get('client_id') ?? '',
        redirectUri: form.get('redirect_uri') ?? '',
        codeVerifier: form.get('code_verifier') ?? '',
      });
      const groups = grant.admin ? ['admin'] : [];
      const accessToken = await signAccessToken(o.key, {
        sub: grant.username,
        groups,
        issuer: o.issuer,
        clientId: o.clientId,
        ttlSeconds: ttl,
      });
      const idToken = await signIdToken(o.key, {
        sub: grant.username,
        groups,
        issuer: o.issuer,
        clientId: o.clientId,
        nonce: grant.nonce,
        ttlSeconds: ttl,
      });
      send(
        res,
        200,
        'application/json',
        JSON.stringify({
          access_token: accessToken,
          id_token: idToken,
          token_type: 'Bearer',
          expires_in: ttl,
          scope: grant.scope,
        }),
        { pragma: 'no-cache' },
      );
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const status = error.error === 'invalid_client' ? 401 : 400;
      send(
        res,
        status,
        'application/json',
        JSON.stringify({ error: error.error, error_description: error.description }),
      );
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
