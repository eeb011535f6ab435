/**
 * The local stand-in for Cognito: an RSA key kept under `.local/`, its public JWKS, and access
 * tokens shaped like Cognito's (token_use `access`, client_id, cognito:groups, no aud).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

export const LOCAL_CLIENT_ID = 'local-app-client';
/** The local issuer's `iss`. Its JWKS is also served by the local API at /local-issuer/.well-known/jwks.json. */
export const LOCAL_ISSUER = 'http://127.0.0.1/local-issuer';

export interface IssuerKey {
  privateJwk: JWK;
  publicJwks: { keys: JWK[] };
}

export async function generateIssuerKey(): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `local-${Date.now().toString(36)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { privateJwk, publicJwks: { keys: [publicJwk] } };
}

/** Read the issuer key from `file`, creating it (mode 0600) on first use. */
export async function loadOrCreateIssuerKey(file: string): Promise<IssuerKey> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as IssuerKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = await generateIssuerKey();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(key), { mode: 0o600 });
  return key;
}

export interface TokenOptions {
  sub: string;
  email?: string;
  groups?: string[];
  issuer: string;
  clientId?: string;
  /** Lifetime in seconds (default one hour, as Cognito's default access token). */
  ttlSeconds?: number;
  /** Extra or overriding claims, applied last; `undefined` removes one (tests forge bad tokens so). */
  claims?: Record<string, unknown>;
}

export async function signAccessToken(key: IssuerKey, options: TokenOptions): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    sub: options.sub,
    iss: options.issuer,
    iat: now,
    exp: now + (options.ttlSeconds ?? 3600),
    jti: crypto.randomUUID(),
    token_use: 'access',
    client_id: options.clientId ?? LOCAL_CLIENT_ID,
    scope: 'aws.cognito.signin.user.admin',
    username: options.sub,
    ...(options.email ? { email: options.email } : {}),
    ...(options.groups?.length ? { 'cognito:groups': options.groups } : {}),
    // Last, so a test can override any claim; `undefined` leaves the claim out (a token without `exp`).
    ...options.claims,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.privateJwk.kid as string, typ: 'JWT' })
    .sign(privateKey);
}

export interface IdTokenOptions {
  sub: string;
  issuer: string;
  clientId: string;
  nonce: string | null;
  groups?: string[];
  ttlSeconds?: number;
}

/** An OIDC ID token as Cognito shapes it (aud = client id, cognito:username); the app reads its profile. */
export async function signIdToken(key: IssuerKey, options: IdTokenOptions): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_use: 'id',
    'cognito:username': options.sub,
    auth_time: now,
    ...(options.nonce ? { nonce: options.nonce } : {}),
    ...(options.groups?.length ? { 'cognito:groups': options.groups } : {}),
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.privateJwk.kid as string, typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(options.issuer)
    .setAudience(options.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 3600))
    .sign(privateKey);
}
