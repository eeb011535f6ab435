/**
 * Per-file environment, set before any handler module is imported: the local token issuer
 * that handlers verify against. Each file's DATABASE_URL is set by `useTestDatabase()`.
 */
import { inject } from 'vitest';
import { LOCAL_CLIENT_ID } from '../../local/issuer';

export const TEST_ISSUER = 'http://127.0.0.1:9/test-issuer';

process.env.LOCAL_JWT_ISSUER = TEST_ISSUER;
process.env.LOCAL_JWT_CLIENT_ID = LOCAL_CLIENT_ID;
process.env.LOCAL_JWKS = JSON.stringify(inject('issuerKey').publicJwks);
process.env.DATABASE_URL ??= 'postgres://unset.invalid/unset';
// The application role's password on the shared test server (test/setup/global.ts). Code that
// configures the role, such as a local stack started by a test, must keep it: the role is
// cluster-wide, and a new password would lock every other file out. Spawned tools inherit it.
process.env.APP_DB_PASSWORD = decodeURIComponent(new URL(inject('pgAppUrl')).password);
