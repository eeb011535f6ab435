/** A GET /api/market row, as docs/openapi.json describes it (generated). */
export type { MarketRow } from '../../lib/api-types.generated';

/**
 * GET /api/market/{symbol}/history (SPEC §11): daily bars, oldest first, adjusted for known
 * corporate actions. Written by hand until the history branch's OpenAPI path is merged; then it
 * becomes a re-export of the generated type (web/src/lib/api-types.generated.ts).
 */
export interface PriceHistory {
  symbol: string;
  bars: Array<{
    session: string;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number | null;
    official: boolean;
    adjusted: boolean;
  }>;
}
