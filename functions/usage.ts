/**
 * GET /api/usage — the caller's usage: all-time totals, the current billing period's, and with
 * `?from=YYYY-MM-DD&to=YYYY-MM-DD` those of a window of whole days in Asia/Kolkata (both days
 * included). `?scope=global` sums over all users and is for the Cognito group `admin` only.
 */

import { authenticatedRoute } from './accounts/routes';
import { defaultUsageStore } from './analysis/usage-store';
import { parseDay, periodAt } from './core/periods';
import { isAdmin } from './platform/auth';
import { badRequest, forbidden } from './platform/errors';
import { json } from './platform/http';

export interface UsageQuery {
  scope: 'user' | 'global';
  from: string | null;
  to: string | null;
  window: { from: Date | null; to: Date | null } | null;
}

/** Validate the query string. Pure. */
function parseUsageQuery(query: Record<string, string | undefined> = {}): UsageQuery {
  const scope = query.scope ?? 'user';
  if (scope !== 'user' && scope !== 'global') {
    throw badRequest('scope must be "user" or "global"', [
      { field: 'scope', message: 'must be user or global' },
    ]);
  }
  const day = (field: 'from' | 'to') => {
    const text = query[field];
    if (text === undefined) return null;
    const range = parseDay(text);
    if (!range) {
      const message = 'must be a calendar date YYYY-MM-DD';
      throw badRequest(`${field} ${message}`, [{ field, message }]);
    }
    return range;
  };
  const from = day('from');
  const to = day('to');
  if (from && to && from.start > to.start) {
    throw badRequest('from must not be after to', [{ field: 'from', message: 'must not be after to' }]);
  }
  return {
    scope,
    from: query.from ?? null,
    to: query.to ?? null,
    window: from || to ? { from: from?.start ?? null, to: to?.end ?? null } : null,
  };
}

export const handler = authenticatedRoute('usage', async ({ event, user }) => {
  const query = parseUsageQuery(event.queryStringParameters);
  if (query.scope === 'global' && !isAdmin(user)) {
    throw forbidden('scope=global is only for administrators');
  }
  const sub = query.scope === 'global' ? null : user.sub;
  const period = periodAt(new Date());
  const store = await defaultUsageStore();
  const [allTime, current, window] = await Promise.all([
    store.allTime(sub),
    store.inWindow(sub, { from: period.start, to: period.end }),
    query.window ? store.inWindow(sub, query.window) : null,
  ]);
  return json(200, {
    scope: query.scope,
    ...allTime,
    current_period: { period: period.name, ...current },
    window: window && { from: query.from, to: query.to, ...window },
  });
});
