/**
 * DELETE /api/keys/{id} — revoke one of the caller's keys → 204; it stops working with the next
 * request (no cache in between). Revoking again is 204 too; another user's or an unknown id is 404.
 */
import { defaultKeyStore } from './accounts/key-store';
import { pathId } from './accounts/requests';
import { authenticatedRoute } from './accounts/routes';
import { notFound } from './platform/errors';
import { journal } from './platform/journal';
import { MetricUnit } from './platform/powertools';

export const handler = authenticatedRoute('key-revoke', async ({ event, user }, { logger, metrics }) => {
  const id = pathId(event.pathParameters);
  const store = await defaultKeyStore();
  if (!id) throw notFound('You have no API key with this id');
  // Journaled first: a restore must not bring the key back (platform/journal.ts).
  await journal().append({ kind: 'key_revoked', at: new Date().toISOString(), keyId: id, userSub: user.sub });
  if (!(await store.revoke(user.sub, id))) throw notFound('You have no API key with this id');
  metrics.addMetric('ApiKeysRevoked', MetricUnit.Count, 1);
  logger.info('api key revoked', { keyId: id });
  return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
});
