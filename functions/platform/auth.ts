/**
 * Access-token verification with aws-jwt-verify, built once per container.
 *
 * In AWS: a Cognito verifier for access tokens of our app client. Functions run in isolated
 * subnets and cannot reach Cognito, so the JWKS is handed over at deploy (`COGNITO_JWKS`) and
 * cached up front; with it the verifier never fetches. Locally: the same checks against the
 * local issuer's JWKS (token_use `access`, our client_id, issuer, RS256 signature, expiry).
 */
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  JwtExpiredError,
  JwtInvalidClaimError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtParseError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { checkClaims } from './claims';
import type { AuthConfig } from './config';
import { unauthorized } from './errors';
import { ADMIN_GROUP } from './names';

export interface User {
  sub: string;
  email: string | null;
  groups: string[];
}

export { ADMIN_GROUP };
export const isAdmin = (user: User) => user.groups.includes(ADMIN_GROUP);

export interface TokenVerifier {
  /** Resolve the user of a valid access token; throw a 401 HttpProblem otherwise. */
  verify(token: string): Promise<User>;
}

/** A JWKS cache that only serves what was handed to it: a key it lacks is a failed check, not a fetch. */
function offlineJwksCache(): SimpleJwksCache {
  return new SimpleJwksCache({
    fetcher: {
      fetch: () =>
        Promise.reject(
          new KidNotFoundInJwksError('JWKS fetching is disabled; key not in the configured JWKS'),
        ),
    },
  });
}

/** The longest address there can be (64-character local part, @, 255-character domain): users.email's limit. */
const MAX_EMAIL_LENGTH = 320;

function toUser(payload: JwtPayload): User {
  const groups = payload['cognito:groups'];
  const email = payload.email;
  return {
    sub: String(payload.sub),
    // The email is display-only (the sub is the identity), so a signed token with an email that
    // cannot be an address is served as one without an email, rather than refused: a 401 would
    // lock its owner out over a field nothing depends on. It was a 500 (the column's CHECK).
    email: typeof email === 'string' && email.length <= MAX_EMAIL_LENGTH ? email : null,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
  };
}

/** Why a token failed, in words safe to show its bearer. */
function reason(error: unknown): string {
  if (error instanceof JwtExpiredError) return 'The access token has expired';
  if (error instanceof CognitoJwtInvalidTokenUseError) return 'The token is not an access token';
  if (error instanceof CognitoJwtInvalidClientIdError) return 'The token was issued to another client';
  if (error instanceof JwtInvalidIssuerError) return 'The token was issued by an unknown issuer';
  if (error instanceof JwtInvalidSignatureAlgorithmError)
    return 'The token is not signed with an accepted algorithm';
  if (error instanceof JwtInvalidSignatureError) return 'The token signature is invalid';
  if (error instanceof KidNotFoundInJwksError) return 'The token is signed with an unknown key';
  if (error instanceof JwtParseError) return 'The token is malformed';
  if (error instanceof JwtInvalidClaimError) return 'The token has an invalid claim';
  return 'The access token is invalid';
}

export function createVerifier(config: AuthConfig): TokenVerifier {
  let verify: (token: string) => Promise<JwtPayload>;
  if (config.kind === 'cognito') {
    const handedOver = config.jwks !== undefined;
    const verifier = CognitoJwtVerifier.create(
      { userPoolId: config.userPoolId, tokenUse: 'access', clientId: config.clientId },
      handedOver ? { jwksCache: offlineJwksCache() } : undefined,
    );
    if (handedOver) verifier.cacheJwks(config.jwks as Jwks);
    verify = (token) => verifier.verify(token);
  } else {
    const verifier = JwtVerifier.create(
      {
        issuer: config.issuer,
        audience: null,
        // Cognito access tokens carry no `aud`; the client and the token use are claims of their own.
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== 'access') {
            throw new CognitoJwtInvalidTokenUseError('Token use not allowed', payload.token_use, ['access']);
          }
          if (payload.client_id !== config.clientId) {
            throw new CognitoJwtInvalidClientIdError(
              'Client ID not allowed',
              payload.client_id,
              config.clientId,
            );
          }
        },
      },
      { jwksCache: offlineJwksCache() },
    );
    verifier.cacheJwks(config.jwks as Jwks);
    verify = (token) => verifier.verify(token);
  }
  return {
    async verify(token) {
      let payload: JwtPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        throw unauthorized(reason(error));
      }
      checkClaims(payload);
      if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
        throw unauthorized('The token has no valid subject');
      }
      return toUser(payload);
    },
  };
}

// The scheme is case-insensitive (RFC 7235 §2.1): `bearer` and `BEARER` are `Bearer`.
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;

/** Extract the token from an `Authorization: Bearer …` header value. */
export function bearerToken(header: string | undefined): string {
  if (!header)
    throw unauthorized('Missing Authorization header; send "Authorization: Bearer <access token>"');
  const match = BEARER.exec(header.trim());
  if (!match?.[1]) throw unauthorized('The Authorization header must be "Bearer <access token>"');
  return match[1];
}
