/**
 * What a bench child process sets before it imports a handler: a token issuer of its own (so
 * its tokens never mix with a running local server's) and no logs or metrics in the measured
 * path, plus the child's own settings. Call it before the handler's dynamic import: the
 * handlers read their config once, when imported.
 */
import { generateIssuerKey, LOCAL_CLIENT_ID, signAccessToken } from '../local/issuer';

const ISSUER = 'http://127.0.0.1:9/bench-issuer';

/** Sets the environment; resolves with a signer of access tokens the handlers accept. */
export async function benchHandlerEnv(
  env: Record<string, string>,
): Promise<(sub: string) => Promise<string>> {
  const key = await generateIssuerKey();
  Object.assign(process.env, {
    LOCAL_JWT_ISSUER: ISSUER,
    LOCAL_JWT_CLIENT_ID: LOCAL_CLIENT_ID,
    LOCAL_JWKS: JSON.stringify(key.publicJwks),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...env,
  });
  return (sub) => signAccessToken(key, { issuer: ISSUER, sub });
}
