/** Configuration of analyses: advice thresholds and the price list (see platform/config.ts). */
import { z } from 'zod';
import type { AdviceThresholds } from '../core/advice';
import { defaultsProblems } from '../core/rule-settings';
import { ConfigError, parse, positiveInt, section } from '../platform/config';

/** A decimal written as text ("0.50", "-5"), kept as text so it can be compared exactly. */
const decimalText = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^-?\d{1,6}(\.\d{1,6})?$/, 'must be a plain decimal such as 0.50')
    .default(fallback);

/**
 * Advice rule set v1 thresholds (SPEC §3 defaults): what users who never changed their rule
 * settings get, and each rule's `default_threshold` in GET /api/settings/rules. Weights stay decimal text so that
 * "weight > 0.50" is decided on exact paise, never on a rounded float.
 */
export const adviceConfig = section((env): AdviceThresholds => {
  const v = parse(
    z.object({
      ADVICE_CONCENTRATION_WEIGHT: decimalText('0.50'),
      ADVICE_UNDERWEIGHT_WEIGHT: decimalText('0.05'),
      ADVICE_SHARP_DROP_PCT: decimalText('-5'),
      ADVICE_STRONG_GROWTH_PCT: decimalText('5'),
      ADVICE_HIGH_VOLATILITY: decimalText('0.04'),
      ADVICE_MOMENTUM_PCT: decimalText('2'),
      ADVICE_MIN_SECTORS: positiveInt(2),
    }),
    env,
    'advice',
  );
  const thresholds: AdviceThresholds = {
    concentrationWeight: v.ADVICE_CONCENTRATION_WEIGHT,
    underweightWeight: v.ADVICE_UNDERWEIGHT_WEIGHT,
    sharpDropPct: Number(v.ADVICE_SHARP_DROP_PCT),
    strongGrowthPct: Number(v.ADVICE_STRONG_GROWTH_PCT),
    highVolatility: Number(v.ADVICE_HIGH_VOLATILITY),
    momentumPct: Number(v.ADVICE_MOMENTUM_PCT),
    minSectors: v.ADVICE_MIN_SECTORS,
  };
  // The defaults are also what users tune within bounds (core/rule-settings.ts): a default
  // outside them could never be set back by a user, so it is a configuration error.
  const problems = defaultsProblems(thresholds);
  if (problems.length > 0) throw new ConfigError(`Invalid advice configuration: ${problems.join('; ')}`);
  return thresholds;
});

/** Money in configuration: rupees as decimal text with at most two decimals ("5.00"). */
const rupeesText = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,7}(\.\d{1,2})?$/, 'must be rupees with at most two decimals, e.g. 5.00')
    .default(fallback);

/**
 * The price list (SPEC §3): `PRICE_PORTFOLIO_ANALYSIS_INR` per analysis and
 * `PRICE_ADVICE_ITEM_INR` per advice item, as decimal rupees. Each charge snapshots the unit
 * price it used, so changing these never changes a past bill.
 */
export const priceListConfig = section((env) => {
  const v = parse(
    z.object({
      PRICE_PORTFOLIO_ANALYSIS_INR: rupeesText('5.00'),
      PRICE_ADVICE_ITEM_INR: rupeesText('2.00'),
    }),
    env,
    'price list',
  );
  return { portfolioAnalysis: v.PRICE_PORTFOLIO_ANALYSIS_INR, adviceItem: v.PRICE_ADVICE_ITEM_INR };
});

/**
 * Derived measures (SPEC §11): `DERIVED_MEASURES=off` stops reading history and deriving
 * change_1d_pct, change_7d_pct and volatility, so only what the feed sent is shown. It exists for
 * the benchmark (analyze with and without derivation, same build); the default is on.
 */
export const measuresConfig = section((env) => {
  const v = parse(
    z.object({ DERIVED_MEASURES: z.enum(['on', 'off']).default('on') }),
    env,
    'derived measures',
  );
  return { derive: v.DERIVED_MEASURES === 'on' };
});

/**
 * Portfolio risk (SPEC §12): `PORTFOLIO_RISK=off` stops computing `details.risk` and reading the
 * longer history it needs, so the benchmark can measure analyze with and without risk in the
 * same build. Independent of DERIVED_MEASURES: risk reads the history it needs either way.
 * The default is on.
 */
export const riskConfig = section((env) => {
  const v = parse(z.object({ PORTFOLIO_RISK: z.enum(['on', 'off']).default('on') }), env, 'portfolio risk');
  return { on: v.PORTFOLIO_RISK === 'on' };
});
