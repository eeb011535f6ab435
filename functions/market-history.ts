/**
 * GET /api/market/{symbol}/history?days=90 — a symbol's daily bars over the last `days` calendar
 * days up to today in IST (1 … 400, default 90), oldest first, adjusted for the splits and
 * bonuses known today (`adjusted: true` on such bars; the stored raw bars stay as they were).
 * An unknown symbol (neither a price nor a bar) is a 404. Same credentials as /api/market.
 */
import { z } from 'zod';
import { authenticatedRoute } from './accounts/routes';
import { istDate } from './core/ist';
import { adjustBar } from './core/market-history';
import { symbolSchema } from './core/ticks';
import { defaultHistoryStore } from './market/history-store';
import { badRequest, notFound } from './platform/errors';
import { json } from './platform/http';

const MAX_HISTORY_DAYS = 400;
const DEFAULT_HISTORY_DAYS = 90;

const daysParam = z
  .string()
  .regex(/^\d{1,3}$/, `must be a whole number from 1 to ${MAX_HISTORY_DAYS}`)
  .transform(Number)
  .pipe(
    z
      .number()
      .min(1, `must be a whole number from 1 to ${MAX_HISTORY_DAYS}`)
      .max(MAX_HISTORY_DAYS, `must be a whole number from 1 to ${MAX_HISTORY_DAYS}`),
  );

/** Parse the path's symbol and `?days=`; a bad one is a 400 naming it. Pure. */
function parseHistoryRequest(
  symbol: string | undefined,
  days: string | undefined,
): { symbol: string; days: number } {
  const s = symbolSchema.safeParse(symbol ?? '');
  if (!s.success) {
    const message = s.error.issues[0]?.message ?? 'is invalid';
    throw badRequest(`symbol ${message}`, [{ field: 'symbol', message }]);
  }
  if (days === undefined) return { symbol: s.data, days: DEFAULT_HISTORY_DAYS };
  const d = daysParam.safeParse(days);
  if (!d.success) {
    const message = d.error.issues[0]?.message ?? 'is invalid';
    throw badRequest(`days ${message}`, [{ field: 'days', message }]);
  }
  return { symbol: s.data, days: d.data };
}

export const handler = authenticatedRoute('market-history', async ({ event }) => {
  const { symbol, days } = parseHistoryRequest(
    event.pathParameters?.symbol,
    event.queryStringParameters?.days,
  );
  const today = istDate(new Date());
  const store = await defaultHistoryStore();
  const history = await store.history(symbol, today, days);
  if (!history) throw notFound(`No market data for symbol ${symbol}`);
  return json(200, { symbol, bars: history.bars.map((b) => adjustBar(b, history.actions, today)) });
});
