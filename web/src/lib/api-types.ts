/** The API's response shapes the screens read (docs/openapi.json and SPEC §3, §9). */

export type AdviceAction = 'reduce' | 'hold_or_buy' | 'caution' | 'buy' | 'diversify';

export interface AdviceItem {
  symbol: string;
  action: AdviceAction;
  rule: string;
  message: string;
}

export interface PerStock {
  symbol: string;
  name: string | null;
  sector: string | null;
  quantity: number;
  price: number;
  stock_value: number;
  weight: number;
  change_1d_pct: number | null;
  change_7d_pct: number | null;
  volatility: number | null;
  price_ts: string;
}

export interface AnalyzeResponse {
  analysis_id: string;
  portfolio_value: number;
  prices_as_of: string;
  advice: AdviceItem[];
  details: { per_stock: PerStock[]; sectors: Record<string, number> };
  unknown_symbols: string[];
  billing: {
    currency: 'INR';
    charged: number;
    breakdown: {
      portfolio_analysis: number;
      advice_items: number;
      price_per_advice: number;
      advice_cost: number;
    };
  };
  usage: { portfolios_analyzed_total: number; advice_generated_total: number };
  disclaimer: string;
}

export interface Holding {
  symbol: string;
  quantity: number;
}
