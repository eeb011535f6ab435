/** Seed latest_prices rows directly (the consumer has its own tests). */
import type { Sql } from '../../functions/platform/db';

export interface SeedPrice {
  symbol: string;
  price: string;
  name?: string | null;
  sector?: string | null;
  change_1d_pct?: number | null;
  change_7d_pct?: number | null;
  volatility?: number | null;
  market_cap_cr?: number | null;
  ts?: string;
}

export async function seedPrices(sql: Sql, rows: SeedPrice[]): Promise<void> {
  for (const r of rows) {
    await sql`
      INSERT INTO latest_prices (symbol, price, ts, sequence_number, price_v, name, sector,
                                 change_1d_pct, change_7d_pct, volatility, market_cap_cr)
      VALUES (${r.symbol}, ${r.price}, ${r.ts ?? '2026-11-28T04:00:00Z'}, '1', '1', ${r.name ?? null},
              ${r.sector ?? null}, ${r.change_1d_pct ?? null}, ${r.change_7d_pct ?? null},
              ${r.volatility ?? null}, ${r.market_cap_cr ?? null})
      ON CONFLICT (symbol) DO UPDATE SET price = EXCLUDED.price, ts = EXCLUDED.ts, name = EXCLUDED.name,
        sector = EXCLUDED.sector, change_1d_pct = EXCLUDED.change_1d_pct,
        change_7d_pct = EXCLUDED.change_7d_pct, volatility = EXCLUDED.volatility,
        market_cap_cr = EXCLUDED.market_cap_cr`;
  }
}

/**
 * The SPEC-like fixture: TCS concentrated and falling, INFY rising, HDFCBANK volatile; A and B
 * priced 0.10 and 0.20; CALM1 + CALM2 (one each) trigger no rule at all.
 */
export const FIXTURE: SeedPrice[] = [
  {
    symbol: 'TCS',
    price: '4090.00',
    name: 'Tata Consultancy Services',
    sector: 'IT',
    change_1d_pct: -0.5,
    change_7d_pct: -6,
    volatility: 0.012,
    market_cap_cr: 1480000,
  },
  {
    symbol: 'INFY',
    price: '1500.50',
    name: 'Infosys',
    sector: 'IT',
    change_1d_pct: 1.2,
    change_7d_pct: 2.5,
    volatility: 0.015,
  },
  {
    symbol: 'HDFCBANK',
    price: '1650.25',
    name: 'HDFC Bank',
    sector: 'Banking',
    change_1d_pct: 0.1,
    change_7d_pct: 0.4,
    volatility: 0.05,
  },
  { symbol: 'A', price: '0.10', name: 'Tenth', sector: 'Test', change_7d_pct: 0 },
  { symbol: 'B', price: '0.20', name: 'Fifth', sector: 'Test', change_7d_pct: 0 },
  {
    symbol: 'CALM1',
    price: '100.00',
    name: 'Calm One',
    sector: 'Utilities',
    change_7d_pct: 0.5,
    volatility: 0.01,
  },
  {
    symbol: 'CALM2',
    price: '100.00',
    name: 'Calm Two',
    sector: 'FMCG',
    change_7d_pct: -0.5,
    volatility: 0.01,
  },
];

/** A portfolio of FIXTURE stocks that triggers no advice: billed 5.00 at default prices. */
export const CALM = {
  portfolio: [
    { symbol: 'CALM1', quantity: 1 },
    { symbol: 'CALM2', quantity: 1 },
  ],
};

/** A portfolio of FIXTURE stocks with two advice items (B concentration, one sector): 9.00. */
export const TWO_ADVICE = {
  portfolio: [
    { symbol: 'A', quantity: 1 },
    { symbol: 'B', quantity: 1 },
  ],
};
