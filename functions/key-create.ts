/**
 * POST /api/keys — create an API key `{"name": "…"}` → 201 with the key, shown this once.
 * At most 10 active keys per user (409 after). Access tokens only: a key cannot mint keys.
 */
import { randomBytes } from 'node:crypto';
import { defaultKeyStore } from './accounts/key-store';
import { parseKeyName } from './accounts/requests';
import { authenticatedRoute } from './accounts/routes';
import { KEY_RANDOM_BYTES, MAX_ACTIVE_KEYS, newKey } from './core/api-keys';
import { conflict } from './platform/errors';
import { json, jsonBody } from './platform/http';
import { MetricUnit } from './platform/powertools';

export const handler = authenticatedRoute('key-create', async ({ event, user }, { logger, metrics }) => {
  const name = parseKeyName(jsonBody(event, '{"name": "…"}'));
  const made = newKey(randomBytes(KEY_RANDOM_BYTES));
  const store = await defaultKeyStore();
  const outcome = await store.create({
    id: crypto.randomUUID(),
    userSub: user.sub,
    name,
    prefix: made.prefix,
    hash: made.hash,
  });
  if (outcome.kind === 'limit') {
    throw conflict(`You already have ${MAX_ACTIVE_KEYS} active API keys; revoke one before creating another`);
  }
  metrics.addMetric('ApiKeysCreated', MetricUnit.Count, 1);
  // Never the key itself: only its id and public prefix.
  logger.info('api key created', { keyId: outcome.key.id, prefix: made.prefix });
  const { id, prefix, created_at } = outcome.key;
  return json(201, { id, name: outcome.key.name, key: made.key, prefix, created_at });
});
