/**
 * `npm run token -- [--sub <id>] [--email <e>] [--groups admin,…] [--ttl <seconds>]`
 * Prints an access token that the local API accepts (signed with the key under .local/).
 *
 * `--email` alone gives the user the web app's local sign-in gives that address (Cognito's
 * shape: `sub` and `username` a UUID stable per address), so curl and the browser act as the
 * same user. Unlike Cognito's, the token then also carries `email`, so the API records it in
 * `users.email`; in AWS access tokens have none and that column stays empty.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_ISSUER, loadOrCreateIssuerKey, localIdentity, signAccessToken } from '../local/issuer';
import { settingsFromEnv } from '../local/stack';

const { values } = parseArgs({
  options: {
    sub: { type: 'string' },
    email: { type: 'string' },
    groups: { type: 'string' },
    ttl: { type: 'string', default: '3600' },
  },
});
const ttlSeconds = Number(values.ttl);
if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
  console.error('--ttl must be a positive number of seconds');
  process.exit(2);
}
const key = await loadOrCreateIssuerKey(join(settingsFromEnv().dir, 'issuer-key.json'));
const groups = values.groups
  ?.split(',')
  .map((g) => g.trim())
  .filter(Boolean);
const who = localIdentity(values.sub ?? values.email ?? 'local-user');
console.log(
  await signAccessToken(key, {
    sub: values.sub ?? who.sub,
    username: values.sub ?? who.username,
    email: values.email,
    groups,
    issuer: LOCAL_ISSUER,
    ttlSeconds,
  }),
);
