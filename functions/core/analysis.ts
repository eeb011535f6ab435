/**
 * One analysis, end to end and pure: value the holdings, run the rules, price the result and
 * shape the response body of SPEC §3. The handler adds the caller's usage totals, which only
 * the database write can know.
 */
import type { AdviceThresholds } from './advice';
import { type AdviceItem, advise, type HoldingFacts, RULE_SET, ratioToNumber, sectorWeights } from './advice';
import { paiseToRupees } from './money';
import type { Holding, Quote, Valuation } from './portfolio';
import { valuePortfolio } from './portfolio';
import { type Charge, chargeFor, type PriceList } from './pricing';

export const DISCLAIMER =
  'This analysis is rule-based and educational only. It is not personalised investment advice, ' +
  'and this service is not a SEBI-registered investment adviser or research analyst. ' +
  'Consider consulting a SEBI-registered adviser before making investment decisions.';

const WEIGHT_DECIMALS = 4;

export interface UsageTotals {
  portfolios_analyzed_total: number;
  advice_generated_total: number;
}

/** The analyze response body, in SPEC §3 order, before `usage` is appended. */
export interface AnalysisBody {
  analysis_id: string;
  portfolio_value: number;
  prices_as_of: string;
  advice: AdviceItem[];
  details: {
    per_stock: Array<{
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
    }>;
    sectors: Record<string, number>;
  };
  unknown_symbols: string[];
  billing: Charge['block'];
  disclaimer: string;
}

export type AnalysisResponse = AnalysisBody & { usage: UsageTotals };

export interface Analysis {
  valuation: Valuation;
  advice: AdviceItem[];
  charge: Charge;
  ruleSet: string;
  body: AnalysisBody;
}

/**
 * Analyze holdings at the given quotes. Returns null when no holding has a price (nothing to
 * analyze, nothing to bill).
 */
export function analyze(input: {
  id: string;
  holdings: readonly Holding[];
  quotes: readonly Quote[];
  thresholds: AdviceThresholds;
  prices: PriceList;
}): Analysis | null {
  const valuation = valuePortfolio(input.holdings, input.quotes);
  if (valuation.positions.length === 0 || valuation.pricesAsOf === null) return null;
  const total = valuation.totalPaise;
  const facts: HoldingFacts[] = valuation.positions.map((p) => ({
    symbol: p.symbol,
    valuePaise: p.valuePaise,
    weight: { num: p.valuePaise, den: total },
    sector: p.quote.sector,
    change_7d_pct: p.quote.change_7d_pct,
    volatility: p.quote.volatility,
  }));
  const advice = advise(facts, input.thresholds);
  const charge = chargeFor(advice.length, input.prices);
  const body: AnalysisBody = {
    analysis_id: input.id,
    portfolio_value: paiseToRupees(total),
    prices_as_of: valuation.pricesAsOf.toISOString(),
    advice,
    details: {
      per_stock: valuation.positions.map((p, i) => ({
        symbol: p.symbol,
        name: p.quote.name,
        sector: p.quote.sector,
        quantity: p.quantity,
        price: paiseToRupees(p.pricePaise),
        stock_value: paiseToRupees(p.valuePaise),
        weight: ratioToNumber((facts[i] as HoldingFacts).weight, WEIGHT_DECIMALS),
        change_1d_pct: p.quote.change_1d_pct,
        change_7d_pct: p.quote.change_7d_pct,
        volatility: p.quote.volatility,
        price_ts: p.quote.ts.toISOString(),
      })),
      sectors: Object.fromEntries(
        [...sectorWeights(facts, total)].map(([sector, w]) => [sector, ratioToNumber(w, WEIGHT_DECIMALS)]),
      ),
    },
    unknown_symbols: valuation.unknownSymbols,
    billing: charge.block,
    disclaimer: DISCLAIMER,
  };
  return { valuation, advice, charge, ruleSet: RULE_SET, body };
}
