/**
 * The bench's summary statistics, in one place. Timings on a shared machine are skewed by
 * bursts of load from other processes: medians and percentiles resist that, means do not.
 */

/** The middle value; with an even count, the mean of the two middle ones. NaN when empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * The value at fraction `p` (0–1) of the sorted values, without interpolation: the
 * ⌊p·n⌋-th smallest, the largest for p = 1. NaN when empty.
 */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
}
