/**
 * Refresh tokens of the local OIDC provider, kept as Cognito keeps them: opaque to the client,
 * valid for 30 days (our app client's `refreshTokenValidity`), **not rotated** (Cognito's
 * default: the refresh grant returns new access and ID tokens and no new refresh token, and the
 * old one keeps working), and revocable (RFC 7009, Cognito's `/oauth2/revoke`): a revoked token
 * is refused by the refresh grant from then on. In memory only, so a restart of `npm start`
 * ends every local session (the app then asks for a new sign-in). Clock and token generator are
 * injectable so tests never sleep.
 */
import { randomBytes } from 'node:crypto';
import { OAuthError } from './codes';
import { createExpiringSecrets } from './expiring';

/** Our Cognito app client's refresh-token lifetime (lib/constructs/auth.ts). */
export const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000;

/** What a refresh token stands for: the sign-in it came from. */
export interface Session {
  clientId: string;
  /** The name typed at the sign-in page (its Cognito-shaped identity is derived from it). */
  name: string;
  admin: boolean;
  scope: string;
  /** When the user signed in (s since the epoch), the ID tokens' `auth_time`. */
  authTime: number;
}

export interface RefreshTokenStore {
  issue(session: Session): string;
  /** The session behind `token`, for `clientId`; throws `OAuthError('invalid_grant')` otherwise. */
  use(token: string, clientId: string): Session;
  /**
   * Revoke `token` if `clientId` holds it. Unknown tokens are not an error (RFC 7009 §2.2: the
   * client cannot do anything about them); a token of another client is `invalid_grant`, as
   * Cognito answers.
   */
  revoke(token: string, clientId: string): void;
}

export function createRefreshTokenStore(
  options: { now?: () => number; newToken?: () => string; ttlMs?: number } = {},
): RefreshTokenStore {
  const now = options.now ?? Date.now;
  const tokens = createExpiringSecrets<Session>(
    now,
    options.newToken ?? (() => randomBytes(48).toString('base64url')),
    options.ttlMs ?? REFRESH_TTL_MS,
  );

  return {
    issue: (session) => tokens.issue(session),
    use(token, clientId) {
      const entry = tokens.get(token);
      if (!entry || entry.expiresAt <= now())
        throw new OAuthError('invalid_grant', 'The refresh token is unknown, expired or revoked');
      if (entry.value.clientId !== clientId)
        throw new OAuthError('invalid_grant', 'The refresh token was issued to another client');
      return entry.value;
    },
    revoke(token, clientId) {
      const entry = tokens.get(token);
      if (!entry) return;
      if (entry.value.clientId !== clientId)
        throw new OAuthError('invalid_grant', 'The refresh token was issued to another client');
      tokens.delete(token);
    },
  };
}
