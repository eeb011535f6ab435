/** Per-user advice rule settings (SPEC §9). */
export interface RuleSetting {
  id: string;
  enabled: boolean;
  threshold: number;
  default_threshold: number;
  min: number;
  max: number;
  description: string;
  /** The API's title; the screen uses RULE_TITLES (the contract) and falls back to it. */
  title?: string;
}

export interface RuleSettings {
  rule_set: string;
  rules: RuleSetting[];
}

/** The rules' titles: the accessible names of their switches (SPEC §8). */
export const RULE_TITLES: Record<string, string> = {
  concentration: 'Concentration',
  sharp_drop: 'Sharp drop',
  strong_growth: 'Strong growth',
  high_volatility: 'High volatility',
  underweight_momentum: 'Underweight momentum',
  diversification: 'Diversification',
};

export const ruleTitle = (id: string, fallback?: string) =>
  RULE_TITLES[id] ?? fallback ?? id.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
