/**
 * The soak run's decisions, pure (no I/O, no clock): how a run is cut into reporting intervals,
 * percentiles, and the pass/fail verdict — any error, a leak, or latency drift.
 *
 * The reference run is measured in minutes: a report every minute, the baseline p99 over minutes
 * 2–5 (minute 1 warms caches and JIT), the drift window the last 5 minutes, the leak measured from
 * the heap after a forced GC at the end of minute 5 to the end. That needs at least 10 minutes.
 * A shorter run keeps the same shape in 10 intervals of a tenth of its length each: the windows
 * scale proportionally (a 2-minute run reports every 12 s, baseline = intervals 2–5, …).
 */

const MIN_UNSCALED_MINUTES = 10;
/** Interval numbers (1-based, inclusive) of the baseline window and of the leak's first sample. */
const BASELINE = { from: 2, to: 5 } as const;
const LAST_COUNT = 5;
const LEAK_FROM = 5;

export interface Window {
  from: number;
  to: number;
}

export interface Plan {
  minutes: number;
  intervals: number;
  intervalMs: number;
  /** True when the run is shorter than MIN_UNSCALED_MINUTES and the windows are scaled. */
  scaled: boolean;
  baseline: Window;
  last: Window;
  /** The heap after GC at the end of this interval is the leak's starting point. */
  leakFrom: number;
}

export function planWindows(minutes: number): Plan {
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error('--minutes must be a positive number');
  const scaled = minutes < MIN_UNSCALED_MINUTES;
  const intervals = scaled ? MIN_UNSCALED_MINUTES : Math.round(minutes);
  return {
    minutes,
    intervals,
    intervalMs: Math.round((minutes * 60_000) / intervals),
    scaled,
    baseline: { ...BASELINE },
    last: { from: intervals - LAST_COUNT + 1, to: intervals },
    leakFrom: LEAK_FROM,
  };
}

/** How the plan reads in the output, saying whether and how the windows were scaled. */
export function describePlan(plan: Plan): string {
  const seconds = (plan.intervalMs / 1000).toFixed(1);
  const head = plan.scaled
    ? `${plan.minutes} min is shorter than ${MIN_UNSCALED_MINUTES} min, so the windows are scaled: ` +
      `${plan.intervals} intervals of ${seconds} s, each standing for a minute`
    : `${plan.intervals} intervals of one minute`;
  return (
    `${head}; baseline p99 = intervals ${plan.baseline.from}–${plan.baseline.to}, ` +
    `drift p99 = intervals ${plan.last.from}–${plan.last.to}, ` +
    `leak = heap after GC at the end of interval ${plan.leakFrom} vs the end of interval ${plan.intervals}`
  );
}

/** Nearest-rank percentile (p in 0–100) of `values`; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

export interface Limits {
  /** Largest allowed growth of the heap after GC, as a fraction (0.10 = 10 %). */
  maxLeak: number;
  /** Largest allowed ratio of the last window's p99 to the baseline's. */
  maxDrift: number;
}

export const DEFAULT_LIMITS: Limits = { maxLeak: 0.1, maxDrift: 1.5 };

export interface RunFacts {
  plan: Plan;
  /** Latencies (ms) of every answered request, all routes, per interval: index 0 = interval 1. */
  latencies: readonly (readonly number[])[];
  /** Heap used after a forced GC at the end of each interval (index 0 = interval 1); null = not measured. */
  heapAfterGc: readonly (number | null)[];
  /** Requests that failed (unexpected status, network error, timeout, replay mismatch). */
  errors: number;
  /** The ledger check: null when it passed, else why not. */
  ledgerProblem: string | null;
  limits?: Limits;
}

export interface Verdict {
  pass: boolean;
  reasons: string[];
  baselineP99: number | null;
  lastP99: number | null;
  /** How many requests each p99 is taken over (a p99 of few requests is close to their maximum). */
  baselineCount: number;
  lastCount: number;
  heapFrom: number | null;
  heapTo: number | null;
}

function inWindow(latencies: RunFacts['latencies'], w: Window): number[] {
  return latencies.slice(w.from - 1, w.to).flat();
}

export function decide(facts: RunFacts): Verdict {
  const limits = facts.limits ?? DEFAULT_LIMITS;
  const { plan } = facts;
  const reasons: string[] = [];
  if (facts.errors > 0) reasons.push(`${facts.errors} request(s) failed`);

  const baseline = inWindow(facts.latencies, plan.baseline);
  const last = inWindow(facts.latencies, plan.last);
  const baselineP99 = percentile(baseline, 99);
  const lastP99 = percentile(last, 99);
  if (baselineP99 === null || lastP99 === null) {
    reasons.push('drift: no answered requests in the baseline or the last window');
  } else if (lastP99 > limits.maxDrift * baselineP99) {
    reasons.push(
      `drift: p99 of intervals ${plan.last.from}–${plan.last.to} is ${lastP99} ms, above ` +
        `${limits.maxDrift}× the ${baselineP99} ms of intervals ${plan.baseline.from}–${plan.baseline.to}`,
    );
  }

  const heapFrom = facts.heapAfterGc[plan.leakFrom - 1] ?? null;
  const heapTo = facts.heapAfterGc[plan.intervals - 1] ?? null;
  if (heapFrom === null || heapTo === null) {
    reasons.push('leak: the heap after GC was not measured at both ends (is the admin endpoint up?)');
  } else if (heapTo > heapFrom * (1 + limits.maxLeak)) {
    const growth = ((heapTo / heapFrom - 1) * 100).toFixed(1);
    reasons.push(
      `leak: heap after GC grew ${growth} % (from ${mib(heapFrom)} to ${mib(heapTo)}), ` +
        `more than ${limits.maxLeak * 100} %`,
    );
  }

  if (facts.ledgerProblem) reasons.push(`ledger: ${facts.ledgerProblem}`);
  return {
    pass: reasons.length === 0,
    reasons,
    baselineP99,
    lastP99,
    baselineCount: baseline.length,
    lastCount: last.length,
    heapFrom,
    heapTo,
  };
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
