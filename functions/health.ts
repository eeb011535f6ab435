/**
 * GET /health — public liveness and readiness: database reachability and how fresh prices are.
 * 503 (with Retry-After) when the database is unreachable. Reveals no configuration.
 */
import { json, publicHandler } from './shared/http';
import { powertools } from './shared/powertools';
import { defaultPriceStore } from './shared/price-store';

const tools = powertools('health');

export const handler = publicHandler(async () => {
  let prices: { count: number; newestTs: string | null };
  try {
    prices = await (await defaultPriceStore()).summary();
  } catch (error) {
    tools.logger.warn('health: database unreachable', { error });
    return json(503, { status: 'unavailable', database: 'unreachable' }, { 'retry-after': '5' });
  }
  return json(200, {
    status: prices.count > 0 ? 'ok' : 'degraded',
    database: 'ok',
    prices: { count: prices.count, newest_ts: prices.newestTs },
  });
}, tools);
