/** Real RS256 access tokens from the test run's issuer key, and forged ones for the 401 cases. */
import { inject } from 'vitest';
import { signAccessToken, type TokenOptions } from '../../local/issuer';
import { TEST_ISSUER } from '../setup/env';

export function token(sub: string, options: Partial<Omit<TokenOptions, 'sub'>> = {}): Promise<string> {
  return signAccessToken(inject('issuerKey'), { issuer: TEST_ISSUER, ...options, sub });
}

export const adminToken = (sub: string) => token(sub, { groups: ['admin'] });
