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
