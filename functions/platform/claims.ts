/**
 * Checks on a verified access token's claims that aws-jwt-verify leaves to the caller: it
 * checks `exp` only when present and never looks at `iat` or at the strings we store.
 * Cognito always sets `exp` and `iat`; a token without them, or with strings PostgreSQL cannot
 * store (NUL) or that are not well-formed UTF-16 (an unpaired surrogate), is not one of ours.
 */
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { unauthorized } from './errors';

/** How far ahead of our clock a token's `iat` may be (clocks of issuer and verifier differ). */
const MAX_CLOCK_SKEW_SECONDS = 300;

// Control characters, and (in `u` mode a pair is one code point) a lone surrogate half.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
const INVALID = /[\u0000-\u001f\u007f]|\p{Cs}/u;

/** Throw a 401 unless `payload` has an expiry, a plausible issue time and clean identity strings. */
export function checkClaims(payload: JwtPayload, nowSeconds = Date.now() / 1000): void {
  if (typeof payload.exp !== 'number') throw unauthorized('The access token has no expiry');
  if (typeof payload.iat !== 'number') throw unauthorized('The access token has no issue time');
  if (payload.iat > nowSeconds + MAX_CLOCK_SKEW_SECONDS) {
    throw unauthorized('The access token was issued in the future');
  }
  for (const claim of ['sub', 'email', 'username'] as const) {
    const value = payload[claim];
    if (value === undefined) continue;
    if (typeof value !== 'string' || INVALID.test(value)) {
      throw unauthorized(`The token has an invalid ${claim}`);
    }
  }
}
