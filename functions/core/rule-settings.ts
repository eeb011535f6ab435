/**
 * Per-user advice rule settings (SPEC §9): each rule of set v1 can be switched off and its
 * threshold moved within bounds. Pure: validates requests, merges a user's changes over the
 * configured defaults, and says which rules run with which thresholds.
 *
 * A user's stored settings hold only what they changed, per rule (`{"sharp_drop":
 * {"threshold": -8}}`), so a user who never changed a rule follows the configured default even
 * when the operator changes it. Changes from PUT /api/settings/rules: core/rule-changes.ts.
 */
import { type AdviceThresholds, RULE_SET, RULES, type Rule } from './advice';

export interface RuleBounds {
  id: string;
  /** What the web app and docs call the rule (SPEC §8 names its switch after it). */
  title: string;
  min: number;
  max: number;
  /** Decimal places a threshold may have (0: whole numbers). */
  decimals: number;
  /** What the threshold means, in words. */
  description: string;
  get(t: AdviceThresholds): number;
  set(t: AdviceThresholds, value: number): AdviceThresholds;
}

/**
 * The bounds, chosen for Indian equities (docs/api.md explains each). `underweight_momentum` has
 * two thresholds; the user sets the weight, the 7-day gain it needs stays the configured one
 * (ADVICE_MOMENTUM_PCT), so one number per rule keeps the settings screen simple.
 */
export const RULE_BOUNDS: readonly RuleBounds[] = [
  {
    id: 'concentration',
    title: 'Concentration',
    min: 0.1,
    max: 0.9,
    decimals: 4,
    description: 'Advise reducing a holding whose weight in the portfolio is above this fraction.',
    get: (t) => Number(t.concentrationWeight),
    set: (t, v) => ({ ...t, concentrationWeight: String(v) }),
  },
  {
    id: 'sharp_drop',
    title: 'Sharp drop',
    min: -50,
    max: -1,
    decimals: 2,
    description: 'Advise reducing a holding whose 7-day change in percent is at or below this.',
    get: (t) => t.sharpDropPct,
    set: (t, v) => ({ ...t, sharpDropPct: v }),
  },
  {
    id: 'strong_growth',
    title: 'Strong growth',
    min: 1,
    max: 100,
    decimals: 2,
    description: 'Suggest holding or buying a holding whose 7-day change in percent is at or above this.',
    get: (t) => t.strongGrowthPct,
    set: (t, v) => ({ ...t, strongGrowthPct: v }),
  },
  {
    id: 'high_volatility',
    title: 'High volatility',
    min: 0.005,
    max: 0.5,
    decimals: 4,
    description: 'Advise caution on a holding whose daily volatility (a fraction, 0.04 = 4 %) is above this.',
    get: (t) => t.highVolatility,
    set: (t, v) => ({ ...t, highVolatility: v }),
  },
  {
    id: 'underweight_momentum',
    title: 'Underweight momentum',
    min: 0.01,
    max: 0.5,
    decimals: 4,
    description:
      'Suggest buying more of a holding whose weight is below this fraction while its price is rising (7-day change above the service-wide momentum percentage).',
    get: (t) => Number(t.underweightWeight),
    set: (t, v) => ({ ...t, underweightWeight: String(v) }),
  },
  {
    id: 'diversification',
    title: 'Diversification',
    min: 2,
    max: 11,
    decimals: 0,
    description: 'Advise diversifying when the known holdings span fewer sectors than this.',
    get: (t) => t.minSectors,
    set: (t, v) => ({ ...t, minSectors: v }),
  },
];

const BY_ID = new Map(RULE_BOUNDS.map((b) => [b.id, b]));

/** The bounds of rule `id`, or undefined for an id that is not a rule of set v1. */
export const boundsOf = (id: string): RuleBounds | undefined => BY_ID.get(id);

/** What a user changed about one rule. */
export interface RuleOverride {
  enabled?: boolean;
  threshold?: number;
}
export type Overrides = Record<string, RuleOverride>;

/** One rule as it is in force for a user. */
export interface EffectiveRule {
  id: string;
  enabled: boolean;
  threshold: number;
}

export interface EffectiveSettings {
  thresholds: AdviceThresholds;
  /** The rules that run, in rule-set order. */
  rules: readonly Rule[];
  /** All six, as stored with each analysis. */
  settings: { rule_set: string; rules: EffectiveRule[] };
}

/** Why `value` is not an acceptable threshold for rule `b`, or null. */
export function withinBounds(b: RuleBounds, value: number): string | null {
  if (!Number.isFinite(value)) return 'must be a number';
  if (value < b.min || value > b.max) return `must be between ${b.min} and ${b.max}`;
  if (Number(value.toFixed(b.decimals)) !== value) {
    return b.decimals === 0 ? 'must be a whole number' : `must have at most ${b.decimals} decimal places`;
  }
  return null;
}

/** Problems with configured defaults that users could never set back to (config checks these). */
export function defaultsProblems(defaults: AdviceThresholds): string[] {
  return RULE_BOUNDS.flatMap((b) => {
    const problem = withinBounds(b, b.get(defaults));
    return problem ? [`${b.id} default ${b.get(defaults)} ${problem}`] : [];
  });
}

/**
 * Read stored settings. Lenient: what we wrote was valid when written; a value that has fallen
 * outside narrowed bounds, or a rule that no longer exists, is ignored (the default applies).
 */
export function readOverrides(stored: unknown): Overrides {
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return {};
  const out: Overrides = {};
  for (const [id, value] of Object.entries(stored as Record<string, unknown>)) {
    const b = BY_ID.get(id);
    if (!b || !value || typeof value !== 'object') continue;
    const { enabled, threshold } = value as Record<string, unknown>;
    const o: RuleOverride = {};
    if (typeof enabled === 'boolean') o.enabled = enabled;
    if (typeof threshold === 'number' && withinBounds(b, threshold) === null) o.threshold = threshold;
    if (Object.keys(o).length > 0) out[id] = o;
  }
  return out;
}

/** The rules and thresholds in force for a user: their changes over the configured defaults. */
export function effectiveSettings(defaults: AdviceThresholds, overrides: Overrides): EffectiveSettings {
  let thresholds = defaults;
  const rules: EffectiveRule[] = RULE_BOUNDS.map((b) => {
    const o = overrides[b.id] ?? {};
    if (o.threshold !== undefined) thresholds = b.set(thresholds, o.threshold);
    return { id: b.id, enabled: o.enabled ?? true, threshold: o.threshold ?? b.get(defaults) };
  });
  const enabled = new Set(rules.filter((r) => r.enabled).map((r) => r.id));
  return {
    thresholds,
    rules: RULES.filter((r) => enabled.has(r.id)),
    settings: { rule_set: RULE_SET, rules },
  };
}

/** GET /api/settings/rules. */
export function settingsView(defaults: AdviceThresholds, overrides: Overrides) {
  const { settings } = effectiveSettings(defaults, overrides);
  return {
    rule_set: RULE_SET,
    rules: settings.rules.map((r) => {
      const b = BY_ID.get(r.id) as RuleBounds;
      return {
        id: r.id,
        title: b.title,
        enabled: r.enabled,
        threshold: r.threshold,
        default_threshold: b.get(defaults),
        min: b.min,
        max: b.max,
        description: b.description,
      };
    }),
  };
}
