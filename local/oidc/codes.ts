/**
 * Authorization codes of the local OIDC provider (RFC 6749 §4.1 with PKCE, RFC 7636): single-use,
 * expiring after 60 s, bound to the client, the exact redirect URI and an S256 code challenge.
 * Pure except for the clock and the random code, both injectable so tests never sleep.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createExpiringSecrets } from './expiring';

/** How long a code can be exchanged (RFC 6749 recommends at most 10 minutes; Cognito uses 5). */
export const CODE_TTL_MS = 60_000;

/** An OAuth error (RFC 6749 §5.2), sent as `{ error, error_description }`. */
export class OAuthError extends Error {
  constructor(
    readonly error:
      | 'invalid_request'
      | 'invalid_grant'
      | 'invalid_client'
      | 'unsupported_grant_type'
      | 'unsupported_token_type',
    readonly description: string,
  ) {
    super(`${error}: ${description}`);
  }
}

/** What the code stands for once the user signed in. */
export interface Grant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  username: string;
  admin: boolean;
  nonce: string | null;
  scope: string;
}

export interface Redemption {
  code: string;
  clientId: string;
  redirectUri: string;
  codeVerifier: string;
}

export interface CodeStore {
  issue(grant: Grant): string;
  /** The grant behind `code`, once; throws `OAuthError('invalid_grant')` on any mismatch. */
  redeem(request: Redemption): Grant;
}

/** BASE64URL(SHA256(ASCII(code_verifier))), RFC 7636 §4.2. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** RFC 7636 §4.1: 43–128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createCodeStore(
  options: { now?: () => number; newCode?: () => string; ttlMs?: number } = {},
): CodeStore {
  const now = options.now ?? Date.now;
  const codes = createExpiringSecrets<Grant>(
    now,
    options.newCode ?? (() => randomBytes(32).toString('base64url')),
    options.ttlMs ?? CODE_TTL_MS,
  );

  return {
    issue: (grant) => codes.issue(grant),
    redeem({ code, clientId, redirectUri, codeVerifier }) {
      const entry = codes.get(code);
      // Single use: a code is gone after its first exchange attempt, successful or not
      // (RFC 6749 §4.1.2: a replayed code must fail).
      codes.delete(code);
      if (!entry) throw new OAuthError('invalid_grant', 'The authorization code is unknown or already used');
      if (entry.expiresAt <= now())
        throw new OAuthError('invalid_grant', 'The authorization code has expired');
      const grant = entry.value;
      if (grant.clientId !== clientId)
        throw new OAuthError('invalid_grant', 'The authorization code was issued to another client');
      if (grant.redirectUri !== redirectUri)
        throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
      if (!VERIFIER.test(codeVerifier))
        throw new OAuthError('invalid_grant', 'code_verifier must be 43 to 128 unreserved characters');
      if (!sameText(s256(codeVerifier), grant.codeChallenge))
        throw new OAuthError('invalid_grant', 'code_verifier does not match the code challenge');
      return grant;
    },
  };
}
