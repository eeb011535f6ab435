/**
 * One analysis, end to end and pure: value the holdings, run the rules, price the result and
 * shape the response body of SPEC §3. The handler adds the caller's usage totals, which only
 * the database write can know.
 */
import type { AdviceThresholds, Rule } from './advice';
import { type AdviceItem, advise, type HoldingFacts, RULE_SET, RULES, sectorWeights } from './advice';
import {
  type AdjustedSeries,
  type CloseHistory,
  closesSeries,
  type MeasureField,
  type MeasuresSource,
  measuresFor,
} from './market-history';
import { formatPaise, MAX_JSON_PAISE, type Paise, paiseToRupees } from './money';
import type { Holding, Quote, Valuation } from './portfolio';
import { valuePortfolio } from './portfolio';
import { type Charge, chargeFor, type PriceList } from './pricing';
import { ratioToNumber } from './ratio';
import { computeRisk, type RiskDetails, type RiskSeries, riskResponse } from './risk';

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
      /** Share of the portfolio's risk (SPEC §12); absent when risk was not computed. */
      risk_contribution_pct?: number | null;
      /** Where each measure came from (SPEC §11); absent in analyses stored before it existed. */
      measures_source?: MeasuresSource;
    }>;
    sectors: Record<string, number>;
    /** Portfolio risk (SPEC §12); absent in analyses stored before it existed or with it off. */
    risk?: RiskDetails;
  };
  unknown_symbols: string[];
  billing: Charge['block'];
  disclaimer: string;
  /** Present when an API key made the analysis: the key's id (SPEC §9). */
  api_key_id?: string;
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
 * A latest price as analyze reads it: what the feed sent, whether the tick that set the price
 * carried each measure, the current session (IST date of the price) and the symbol's recent
 * closes and corporate actions (null when derivation is switched off).
 */
export interface MarketQuote extends Quote {
  session: string;
  feedCurrent: Record<MeasureField, boolean>;
  history: CloseHistory | null;
}

/**
 * The quote with the measures shown (SPEC §11 "which value is shown", the values the advice
 * rules read) and its adjusted series, which portfolio risk reads too (null without history).
 * With `derive` false (DERIVED_MEASURES=off) only what the feed sent is shown, while the series
 * is still made for risk when the history was read.
 */
export function measuredQuote(
  q: MarketQuote,
  derive = true,
): { quote: Quote; series: AdjustedSeries | null } {
  const { session, feedCurrent, history, ...quote } = q;
  const { shown, series } = measuresFor({
    symbol: q.symbol,
    price: Number(q.price),
    session,
    feed: {
      change_1d_pct: { value: q.change_1d_pct, current: feedCurrent.change_1d_pct },
      change_7d_pct: { value: q.change_7d_pct, current: feedCurrent.change_7d_pct },
      volatility: { value: q.volatility, current: feedCurrent.volatility },
    },
    history: derive ? history : null,
  });
  const adjusted =
    series ?? (history ? closesSeries(q.symbol, history, { price: Number(q.price), session }) : null);
  return { quote: { ...quote, ...shown.values, measures_source: shown.source }, series: adjusted };
}

/**
 * A portfolio worth more than the API can state exactly (MAX_JSON_PAISE): refused before
 * anything is built or billed. Every per-stock value and the charge are below the total, so
 * bounding the total bounds every amount in the response.
 */
export class PortfolioValueOutOfRange extends RangeError {
  override name = 'PortfolioValueOutOfRange';
  constructor(readonly totalPaise: Paise) {
    super(
      `The portfolio is worth ${formatPaise(totalPaise)} INR at the latest prices; ` +
        `the most this service values exactly is ${formatPaise(MAX_JSON_PAISE)} INR`,
    );
  }
}

/**
 * Analyze holdings at the given quotes. Returns null when no holding has a price (nothing to
 * analyze, nothing to bill); throws PortfolioValueOutOfRange above MAX_JSON_PAISE.
 */
export function analyze(input: {
  id: string;
  holdings: readonly Holding[];
  quotes: readonly Quote[];
  thresholds: AdviceThresholds;
  /** The rules that run (a user's settings may switch some off); default: all of set v1. */
  rules?: readonly Rule[];
  prices: PriceList;
  /**
   * Each symbol's adjusted daily closes for portfolio risk (SPEC §12); without it (risk switched
   * off) the body has no `details.risk` and no `risk_contribution_pct`.
   */
  series?: ReadonlyMap<string, RiskSeries>;
}): Analysis | null {
  const valuation = valuePortfolio(input.holdings, input.quotes);
  // pricesAsOf is null exactly when no holding has a price.
  if (valuation.pricesAsOf === null) return null;
  const total = valuation.totalPaise;
  if (total > MAX_JSON_PAISE) throw new PortfolioValueOutOfRange(total);
  const facts: HoldingFacts[] = valuation.positions.map((p) => ({
    symbol: p.symbol,
    valuePaise: p.valuePaise,
    weight: { num: p.valuePaise, den: total },
    sector: p.quote.sector,
    change_7d_pct: p.quote.change_7d_pct,
    volatility: p.quote.volatility,
  }));
  const advice = advise(facts, input.thresholds, input.rules ?? RULES);
  const risk = input.series
    ? riskResponse(
        computeRisk(
          valuation.positions.map((p) => ({
            symbol: p.symbol,
            quantity: p.quantity,
            // Unrounded (the displayed weight has 4 decimals); exact enough for a measure.
            weight: Number(p.valuePaise) / Number(total),
            sector: p.quote.sector,
          })),
          input.series,
        ),
      )
    : null;
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
        ...(risk ? { risk_contribution_pct: risk.contributionOf(p.symbol) } : {}),
        ...(p.quote.measures_source ? { measures_source: p.quote.measures_source } : {}),
      })),
      sectors: Object.fromEntries(
        [...sectorWeights(facts, total)].map(([sector, w]) => [sector, ratioToNumber(w, WEIGHT_DECIMALS)]),
      ),
      ...(risk ? { risk: risk.details } : {}),
    },
    unknown_symbols: valuation.unknownSymbols,
    billing: charge.block,
    disclaimer: DISCLAIMER,
  };
  return { valuation, advice, charge, ruleSet: RULE_SET, body };
}
