/**
 * The market screen's response shapes, generated from docs/openapi.json: `MarketRow` is a
 * GET /api/market row; `PriceHistory` is GET /api/market/{symbol}/history (SPEC §11: daily
 * bars, oldest first, adjusted for known corporate actions).
 */
export type { MarketHistory as PriceHistory, MarketRow } from '../../lib/api-types.generated';
