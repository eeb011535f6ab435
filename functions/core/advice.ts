/**
 * Advice rule set v1 (SPEC §3). Pure: valued holdings and thresholds in, advice items out.
 *
 * The rules are data: RULES lists each one with its id, action, description, threshold and
 * check, so a new rule is one entry. A check returns the item's message, or null when the rule
 * does not fire. A rule whose input is missing (no 7-day change, no volatility, a holding with
 * no sector) does not fire. Weights are exact ratios of paise and weight thresholds exact
 * decimals, so "weight > 0.50" is decided without rounding.
 */
import type { Paise } from './money';
import { compareRatio, type Ratio, ratioOf, ratioToNumber } from './ratio';

export const RULE_SET = 'v1';
const PORTFOLIO_SYMBOL = 'PORTFOLIO';
export const UNCLASSIFIED_SECTOR = 'Unclassified';

/** Thresholds of rule set v1 (SPEC §3 defaults in analysis/config.ts). */
export interface AdviceThresholds {
  /** Weights as exact decimal text, compared as rationals against exact paise ratios. */
  concentrationWeight: string;
  underweightWeight: string;
  /** Percent and fraction thresholds, compared with the stored float8 values. */
  sharpDropPct: number;
  strongGrowthPct: number;
  highVolatility: number;
  momentumPct: number;
  minSectors: number;
}

export type Action = 'reduce' | 'hold_or_buy' | 'caution' | 'buy' | 'diversify';

export interface AdviceItem {
  symbol: string;
  action: Action;
  rule: string;
  message: string;
}

/** What the rules may look at for one holding. */
export interface HoldingFacts {
  symbol: string;
  valuePaise: Paise;
  weight: Ratio;
  sector: string | null;
  change_7d_pct: number | null;
  volatility: number | null;
}

type Thresholds = AdviceThresholds;

const pct = (value: number) => `${Number(value.toFixed(2))}%`;
const weightPct = (w: Ratio) => pct(ratioToNumber(w, 4) * 100);
const thresholdPct = (decimal: string) => pct(Number(decimal) * 100);

interface RuleBase {
  id: string;
  action: Action;
  description: string;
  /** The threshold(s) in force, in words, for documentation and logs. */
  threshold: (t: Thresholds) => string;
}

export interface HoldingRule extends RuleBase {
  scope: 'holding';
  check: (h: HoldingFacts, t: Thresholds) => string | null;
}

export interface PortfolioRule extends RuleBase {
  scope: 'portfolio';
  check: (holdings: readonly HoldingFacts[], t: Thresholds) => string | null;
}

export type Rule = HoldingRule | PortfolioRule;

/** Rule set v1, in evaluation order (holding rules first, then portfolio rules). */
export const RULES: readonly Rule[] = [
  {
    id: 'concentration',
    scope: 'holding',
    action: 'reduce',
    description: 'One holding is too large a share of the portfolio value.',
    threshold: (t) => `weight > ${t.concentrationWeight}`,
    check: (h, t) =>
      compareRatio(h.weight, ratioOf(t.concentrationWeight)) > 0
        ? `${h.symbol} is ${weightPct(h.weight)} of your portfolio, above the ${thresholdPct(t.concentrationWeight)} concentration limit; consider reducing it.`
        : null,
  },
  {
    id: 'sharp_drop',
    scope: 'holding',
    action: 'reduce',
    description: 'The price fell sharply over the last 7 days.',
    threshold: (t) => `change_7d_pct <= ${t.sharpDropPct}`,
    check: (h, t) =>
      h.change_7d_pct !== null && h.change_7d_pct <= t.sharpDropPct
        ? `${h.symbol} moved ${pct(h.change_7d_pct)} over the last 7 days, at or below the ${pct(t.sharpDropPct)} sharp-drop threshold; consider reducing it.`
        : null,
  },
  {
    id: 'strong_growth',
    scope: 'holding',
    action: 'hold_or_buy',
    description: 'The price rose strongly over the last 7 days.',
    threshold: (t) => `change_7d_pct >= ${t.strongGrowthPct}`,
    check: (h, t) =>
      h.change_7d_pct !== null && h.change_7d_pct >= t.strongGrowthPct
        ? `${h.symbol} gained ${pct(h.change_7d_pct)} over the last 7 days, at or above the ${pct(t.strongGrowthPct)} strong-growth threshold; consider holding or adding to it.`
        : null,
  },
  {
    id: 'high_volatility',
    scope: 'holding',
    action: 'caution',
    description: 'The daily price volatility is high.',
    threshold: (t) => `volatility > ${t.highVolatility}`,
    check: (h, t) =>
      h.volatility !== null && h.volatility > t.highVolatility
        ? `${h.symbol} has a daily volatility of ${pct(h.volatility * 100)}, above the ${pct(t.highVolatility * 100)} limit; size this position with caution.`
        : null,
  },
  {
    id: 'underweight_momentum',
    scope: 'holding',
    action: 'buy',
    description: 'A small holding whose price is rising.',
    threshold: (t) => `weight < ${t.underweightWeight} and change_7d_pct > ${t.momentumPct}`,
    check: (h, t) =>
      h.change_7d_pct !== null &&
      compareRatio(h.weight, ratioOf(t.underweightWeight)) < 0 &&
      h.change_7d_pct > t.momentumPct
        ? `${h.symbol} is only ${weightPct(h.weight)} of your portfolio but gained ${pct(h.change_7d_pct)} over the last 7 days (above ${pct(t.momentumPct)}); consider buying more.`
        : null,
  },
  {
    id: 'diversification',
    scope: 'portfolio',
    action: 'diversify',
    description: 'The known holdings span too few sectors.',
    threshold: (t) => `distinct sectors < ${t.minSectors}`,
    check: (holdings, t) => {
      // A holding with no known sector could be in any sector: the input is missing.
      if (holdings.some((h) => h.sector === null)) return null;
      const sectors = [...new Set(holdings.map((h) => h.sector as string))];
      if (sectors.length >= t.minSectors) return null;
      return `All your analyzed holdings are in ${sectors.length} sector (${sectors.join(', ')}), fewer than ${t.minSectors}; consider diversifying across sectors.`;
    },
  },
];

/**
 * Run the rules: holdings in request order, each through the holding rules in table order,
 * then the portfolio rules.
 */
export function advise(
  holdings: readonly HoldingFacts[],
  thresholds: Thresholds,
  rules: readonly Rule[] = RULES,
): AdviceItem[] {
  const items: AdviceItem[] = [];
  for (const h of holdings) {
    for (const rule of rules) {
      if (rule.scope !== 'holding') continue;
      const message = rule.check(h, thresholds);
      if (message !== null) items.push({ symbol: h.symbol, action: rule.action, rule: rule.id, message });
    }
  }
  if (holdings.length === 0) return items;
  for (const rule of rules) {
    if (rule.scope !== 'portfolio') continue;
    const message = rule.check(holdings, thresholds);
    if (message !== null)
      items.push({ symbol: PORTFOLIO_SYMBOL, action: rule.action, rule: rule.id, message });
  }
  return items;
}

/** Sector weights of valued holdings, exact; holdings with no sector go under UNCLASSIFIED_SECTOR. */
export function sectorWeights(holdings: readonly HoldingFacts[], totalPaise: Paise): Map<string, Ratio> {
  const values = new Map<string, Paise>();
  for (const h of holdings) {
    const key = h.sector ?? UNCLASSIFIED_SECTOR;
    values.set(key, (values.get(key) ?? 0n) + h.valuePaise);
  }
  return new Map([...values].map(([sector, value]) => [sector, { num: value, den: totalPaise }]));
}
