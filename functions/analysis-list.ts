/**
 * GET /api/analyses?limit=20&cursor=… — the caller's analyses, newest first, keyset-paginated
 * (`next_cursor` is null on the last page). Reading history is never billed.
 */

import { authenticatedRoute } from './accounts/routes';
import { defaultHistoryStore } from './analysis/history-store';
import { decodeCursor, encodeCursor, MAX_LIMIT, parseLimit } from './core/history';
import { paiseToRupees } from './core/money';
import { badRequest } from './platform/errors';
import { json } from './platform/http';

export const handler = authenticatedRoute('analysis-list', async ({ event, user }) => {
  const query = event.queryStringParameters ?? {};
  const limit = parseLimit(query.limit);
  if (limit === null) {
    const message = `must be a whole number from 1 to ${MAX_LIMIT}`;
    throw badRequest(`limit ${message}`, [{ field: 'limit', message }]);
  }
  const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
  if (query.cursor !== undefined && cursor === null) {
    const message = 'is not a cursor from a previous page; start again without it';
    throw badRequest(`cursor ${message}`, [{ field: 'cursor', message }]);
  }
  const store = await defaultHistoryStore();
  // One row more than asked tells whether another page exists.
  const rows = await store.page(user.sub, limit + 1, cursor);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return json(200, {
    items: page.map((r) => ({
      analysis_id: r.analysis_id,
      created_at: r.created_at,
      portfolio_value: paiseToRupees(BigInt(r.portfolio_value_paise)),
      holdings: r.holdings,
      advice_count: r.advice_count,
      charged: paiseToRupees(BigInt(r.charged_paise)),
      // Lost in a database restore and recorded again from Flexprice's events: no holdings or advice kept.
      ...(r.restored ? { restored_from_billing: true } : {}),
    })),
    next_cursor: rows.length > limit && last ? encodeCursor({ t: last.cursor_t, i: last.analysis_id }) : null,
  });
});
