/**
 * Exact ratios of bigints: portfolio weights are paise over paise, and the rules compare them
 * with decimal thresholds ("0.50") without rounding. Pure.
 */

/** An exact non-negative ratio num/den (den > 0). */
export interface Ratio {
  num: bigint;
  den: bigint;
}

/** Exact ratio of a plain decimal text: "0.50" → 50/100. */
export function ratioOf(decimal: string): Ratio {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match?.[2]) throw new RangeError(`Not a decimal: ${decimal}`);
  const fraction = match[3] ?? '';
  const num = BigInt(match[2] + fraction) * (match[1] ? -1n : 1n);
  return { num, den: 10n ** BigInt(fraction.length) };
}

/** Sign of a − b. */
export function compareRatio(a: Ratio, b: Ratio): number {
  const diff = a.num * b.den - b.num * a.den;
  return diff > 0n ? 1 : diff < 0n ? -1 : 0;
}

/** A ratio as a number rounded half up to `decimals` places (for display only). */
export function ratioToNumber(r: Ratio, decimals: number): number {
  const scale = 10n ** BigInt(decimals);
  const scaled = (2n * r.num * scale + r.den) / (2n * r.den);
  return Number(scaled) / Number(scale);
}
