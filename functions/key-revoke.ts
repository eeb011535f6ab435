/**
 * DELETE /api/keys/{id} — revoke one of the caller's keys → 204; it stops working with the next
 * request (no cache in between). Revoking again is 204 too; another user's or an unknown id is 404.
 *
 * Check, journal, change — in that order. The check comes first so that the journal (object-locked
 * for 35 days in AWS, re-applied after a restore) only ever holds revocations of the caller's own
 * active keys: a request for an unknown or foreign id, or a repeat, writes nothing. The journal
 * comes before the change (platform/journal.ts): if it cannot be written the answer is 503 and
 * the key stays active.
 *
 * Two revocations of one key at once may both pass the check and both journal: the journal then
 * holds the same revocation twice. That is harmless — a key never changes owner, so both entries
 * name a key the caller owned, and replay revokes only an active key (the second entry finds it
 * revoked and changes nothing; test/dr/journal.test.ts runs the race and replays it).
 */
import { defaultKeyStore } from './accounts/key-store';
import { pathId } from './accounts/requests';
import { authenticatedRoute } from './accounts/routes';
import { notFound } from './platform/errors';
import { journal } from './platform/journal';
import { MetricUnit } from './platform/powertools';

const noContent = { statusCode: 204, headers: { 'cache-control': 'no-store' } };

export const handler = authenticatedRoute('key-revoke', async ({ event, user }, { logger, metrics }) => {
  const id = pathId(event.pathParameters);
  if (!id) throw notFound('You have no API key with this id');
  const store = await defaultKeyStore();
  const state = await store.state(user.sub, id);
  if (state === null) throw notFound('You have no API key with this id');
  // Already revoked: that revocation was journaled when it happened; nothing new to record.
  if (state === 'revoked') return noContent;
  // Journaled first: a restore must not bring the key back (platform/journal.ts).
  await journal().append({ kind: 'key_revoked', at: new Date().toISOString(), keyId: id, userSub: user.sub });
  if (!(await store.revoke(user.sub, id))) throw notFound('You have no API key with this id');
  metrics.addMetric('ApiKeysRevoked', MetricUnit.Count, 1);
  logger.info('api key revoked', { keyId: id });
  return noContent;
});
