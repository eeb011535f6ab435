/**
 * Per-user advice rule settings (SPEC §9), generated from docs/openapi.json (`npm run
 * api-types`). The screen names each rule by RULE_TITLES (the contract) and falls back to the
 * API's `title`.
 */
export type { RuleSetting, RuleSettings } from '../../lib/api-types.generated';

/** The rules' titles: the accessible names of their switches (SPEC §8). */
const RULE_TITLES: Record<string, string> = {
  concentration: 'Concentration',
  sharp_drop: 'Sharp drop',
  strong_growth: 'Strong growth',
  high_volatility: 'High volatility',
  underweight_momentum: 'Underweight momentum',
  diversification: 'Diversification',
};

export const ruleTitle = (id: string, fallback?: string) =>
  RULE_TITLES[id] ?? fallback ?? id.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
