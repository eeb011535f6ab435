/** A GET /api/market row, as docs/openapi.json describes it (generated). */
export type { MarketRow } from '../../lib/api-types.generated';

/**
 * GET /api/market/{symbol}/history (SPEC §11): daily bars, oldest first, adjusted for known
 * corporate actions; generated from docs/openapi.json like every other response shape.
 */
export type { MarketHistory as PriceHistory } from '../../lib/api-types.generated';
