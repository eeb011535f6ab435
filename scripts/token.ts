/**
 * `npm run token -- --sub <id> [--email <e>] [--groups admin,…] [--ttl <seconds>]`
 * Prints an access token that the local API accepts (signed with the key under .local/).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_ISSUER, loadOrCreateIssuerKey, signAccessToken } from '../local/issuer';
import { settingsFromEnv } from '../local/stack';

const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'local-user' },
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
console.log(
  await signAccessToken(key, {
    sub: values.sub,
    email: values.email,
    groups,
    issuer: LOCAL_ISSUER,
    ttlSeconds,
  }),
);
