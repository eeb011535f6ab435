/**
 * GET /api/market — the latest price rows, sorted by symbol; `?symbols=A,B` filters. Each row
 * shows its measures derived from history where the feed did not send them with the price,
 * and says where each came from (SPEC §11 `measures_source`).
 */
import { z } from 'zod';
import { authenticatedRoute } from './accounts/routes';
import { measuresConfig } from './analysis/config';
import { symbolSchema } from './core/ticks';
import { defaultHistoryStore } from './market/history-store';
import { badRequest } from './platform/errors';
import { json } from './platform/http';

const MAX_SYMBOLS = 100;

const symbolsParam = z
  .string()
  .transform((s) => s.split(',').filter((part) => part.trim() !== ''))
  .pipe(
    z
      .array(symbolSchema)
      .min(1, 'must name at least one symbol')
      .max(MAX_SYMBOLS, `must name at most ${MAX_SYMBOLS} symbols`),
  );

/** Parse `?symbols=` into normalized, de-duplicated symbols (undefined = all). Pure. */
function parseSymbolsQuery(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const parsed = symbolsParam.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'is invalid';
    throw badRequest(`symbols ${message}`, [{ field: 'symbols', message }]);
  }
  return [...new Set(parsed.data)];
}

export const handler = authenticatedRoute('market', async ({ event }) => {
  const symbols = parseSymbolsQuery(event.queryStringParameters?.symbols);
  const store = await defaultHistoryStore();
  return json(200, await store.marketRows(symbols, measuresConfig().derive));
});
