/** A GET /api/market row (docs/openapi.json `MarketRow`). */
export interface MarketRow {
  symbol: string;
  name: string | null;
  sector: string | null;
  price: number;
  change_1d_pct: number | null;
  change_7d_pct: number | null;
  volatility: number | null;
  market_cap_cr: number | null;
  ts: string;
}

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
