/**
 * GET /api/analyses/{id} — one of the caller's analyses: the analyze response exactly as first
 * returned (an analysis made with an API key names it in `api_key_id`). Any id that is not the
 * caller's, or not an id at all, is 404. Never billed.
 */
import { pathId } from './accounts/requests';
import { authenticatedRoute } from './accounts/routes';
import { defaultHistoryStore } from './analysis/history-store';
import { notFound } from './platform/errors';
import { json } from './platform/http';

export const handler = authenticatedRoute('analysis-get', async ({ event, user }) => {
  const id = pathId(event.pathParameters);
  const analysis = id ? await (await defaultHistoryStore()).one(user.sub, id) : null;
  if (!analysis) throw notFound('You have no analysis with this id');
  return json(200, analysis);
});
