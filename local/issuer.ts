/**
 * The local stand-in for Cognito: an RSA key kept under `.local/`, its public JWKS, and tokens
 * shaped like Cognito's: access tokens with token_use `access`, client_id, username,
 * cognito:groups and no aud (and no email); ID tokens with aud, cognito:username, email.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

export const LOCAL_CLIENT_ID = 'local-app-client';
/** The local issuer's `iss`. Its JWKS is also served by the local API at /local-issuer/.well-known/jwks.json. */
export const LOCAL_ISSUER = 'http://127.0.0.1/local-issuer';

/** Good enough to tell an e-mail from a plain username (Cognito checks the address by sending mail). */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** Namespace of the name-based UUIDs below (a fixed random UUID: only the local issuer uses it). */
const SUBJECT_NAMESPACE = '3f0c9a52-6a7e-4d2b-9c1e-5b8f2d7a4e61';

/**
 * A name-based UUID (RFC 9562 §5.5, version 5) of `name` in our namespace: the same name always
 * gives the same UUID, as a Cognito user keeps its `sub` across sign-ins.
 */
function nameUuid(name: string): string {
  const namespace = Buffer.from(SUBJECT_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Who a name typed at the local sign-in page is, in Cognito's terms. */
export interface LocalIdentity {
  /** The token's `sub`. */
  sub: string;
  /** The access token's `username` and the ID token's `cognito:username`. */
  username: string;
  /** The ID token's `email`; null for a plain username. */
  email: string | null;
}

/**
 * Cognito's shapes for the names typed locally. Our user pool signs in by e-mail
 * (`signInAliases: { email: true }`), so Cognito gives every user a generated UUID as username,
 * equal to its `sub`, and the e-mail appears only in the ID token. An e-mail typed here gets
 * the same: a UUID stable per address (compared case-insensitively, as the pool does). A plain
 * username stays the token's `sub` and `username` (SPEC §8), which keeps curl-made tokens and
 * browser sign-ins of `asha` the same user.
 */
export function localIdentity(name: string): LocalIdentity {
  if (!EMAIL.test(name)) return { sub: name, username: name, email: null };
  const sub = nameUuid(name.toLowerCase());
  return { sub, username: sub, email: name };
}

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
  /** The `username` claim (default: `sub`). */
  username?: string;
  /**
   * An `email` claim. Cognito's access tokens never carry one; `npm run token --email` may add it
   * so the API records the address in `users.email` (a local convenience, see docs/api.md).
   */
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
    username: options.username ?? options.sub,
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
  /** `cognito:username` (default: `sub`). */
  username?: string;
  /** With an address, `email` and `email_verified: true` (Cognito verifies it before sign-in). */
  email?: string | null;
  /** When the user signed in (s); a refreshed ID token keeps the first one, as Cognito's does. */
  authTime?: number;
  issuer: string;
  clientId: string;
  nonce: string | null;
  groups?: string[];
  ttlSeconds?: number;
}

/** An OIDC ID token as Cognito shapes it (aud = client id, cognito:username, email); the app reads its profile. */
export async function signIdToken(key: IssuerKey, options: IdTokenOptions): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_use: 'id',
    'cognito:username': options.username ?? options.sub,
    ...(options.email ? { email: options.email, email_verified: true } : {}),
    auth_time: options.authTime ?? now,
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
