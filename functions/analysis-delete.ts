/**
 * DELETE /api/analyses/{id} — remove one of the caller's analyses from their history (SPEC §9):
 * its stored portfolio and answer are erased and it leaves the list and GET /api/analyses/{id}
 * (404 from now on). The ledger, the bill and the invoices keep its charge; a later
 * Idempotency-Key replay of it is a 409 saying it was deleted (analyze.ts). Another user's id,
 * an id already deleted, or not an id at all is 404. API keys are accepted, as on every
 * /api/analyses* route: a key that may read the history may also prune it (docs/api.md).
 *
 * Check, journal, change — in that order. The check comes first so that the journal (object-locked
 * for 35 days in AWS, re-applied after a restore) only ever holds deletions of the caller's own
 * live analyses: a request for an unknown, foreign or already deleted id writes nothing. The
 * journal comes before the change (platform/journal.ts): if it cannot be written the answer is
 * 503 and the analysis stays.
 *
 * Two deletions of one analysis at once may both pass the check and both journal; one erases it
 * (204), the other finds it gone (404). The second entry is harmless: an analysis never changes
 * owner, so it names one the caller owned, and replay erases only a live analysis (it finds the
 * first entry's work done and changes nothing; test/dr/journal.test.ts runs the race and replays it).
 */
import { pathId } from './accounts/requests';
import { authenticatedRoute } from './accounts/routes';
import { defaultHistoryStore, isLiveAnalysis } from './analysis/history-store';
import { db } from './platform/db';
import { notFound } from './platform/errors';
import { journal } from './platform/journal';
import { MetricUnit } from './platform/powertools';

export const handler = authenticatedRoute('analysis-delete', async ({ event, user }, { logger, metrics }) => {
  const id = pathId(event.pathParameters);
  if (!id || !(await isLiveAnalysis(await db(), user.sub, id)))
    throw notFound('You have no analysis with this id');
  // Journaled first: a restore must not bring the analysis back (platform/journal.ts).
  await journal().append({
    kind: 'analysis_deleted',
    at: new Date().toISOString(),
    analysisId: id,
    userSub: user.sub,
  });
  const removed = await (await defaultHistoryStore()).remove(user.sub, id);
  if (!removed) throw notFound('You have no analysis with this id');
  metrics.addMetric('AnalysesDeleted', MetricUnit.Count, 1);
  logger.info('analysis deleted', { analysisId: id });
  return { statusCode: 204, headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } };
});
