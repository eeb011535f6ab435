/** The soak's printed lines, pure: one block per interval and the final summary. */
import type { IntervalRecord } from './recorder';
import { mib, type Plan, percentile, type Verdict } from './verdict';

export interface Probes {
  rss: number | null;
  heapAfterGc: number | null;
  databaseBytes: number | null;
  outboxPending: number | null;
  /** Seconds between the newest tick put on the stream and the newest one applied. */
  consumerLagS: number | null;
  /** Age of the newest tick the API serves when probed (includes the 1 s between PutRecords). */
  newestTickAgeS: number | null;
  ticksSent: number;
  /** Usage events the billing sync delivered to the Flexprice stand-in so far; null without one. */
  billedEvents: number | null;
}

const na = (v: number | null, f: (v: number) => string) => (v === null ? 'n/a' : f(v));
const ms = (v: number | null) => na(v, (x) => `${Math.round(x)} ms`);

export function formatInterval(plan: Plan, index: number, rec: IntervalRecord, probes: Probes): string {
  const unit = plan.scaled ? 'interval' : 'minute';
  const total = [...rec.routes.values()].reduce((n, l) => n + l.length, 0);
  const rate = (total / (plan.intervalMs / 1000)).toFixed(1);
  const lines = [
    `[${unit} ${index}/${plan.intervals}] ${total} answered (${rate}/s), ${rec.errors} errors, ` +
      `${rec.dropped} dropped | API RSS ${na(probes.rss, mib)}, heap after GC ${na(probes.heapAfterGc, mib)} | ` +
      `db ${na(probes.databaseBytes, mib)}, outbox ${na(probes.outboxPending, String)} pending` +
      `${probes.billedEvents === null ? '' : `, ${probes.billedEvents} events at Flexprice`} | ` +
      `consumer lag ${na(probes.consumerLagS, (s) => `${s.toFixed(1)} s`)} ` +
      `(newest price ${na(probes.newestTickAgeS, (s) => `${s.toFixed(1)} s`)} old, ${probes.ticksSent} ticks sent)`,
  ];
  for (const [route, list] of [...rec.routes.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `  ${route.padEnd(38)} n=${String(list.length).padStart(6)}  p50 ${ms(percentile(list, 50)).padStart(7)}  p99 ${ms(percentile(list, 99)).padStart(7)}`,
    );
  }
  return lines.join('\n');
}

export function formatSummary(
  plan: Plan,
  verdict: Verdict,
  totals: { answered: number; errors: number; dropped: number; examples: string[]; ledger: string },
): string {
  const growth =
    verdict.heapFrom && verdict.heapTo
      ? ` (${((verdict.heapTo / verdict.heapFrom - 1) * 100).toFixed(1)} %)`
      : '';
  const lines = [
    'soak summary',
    `  ${totals.answered} requests answered, ${totals.errors} failed, ${totals.dropped} dropped by the load generator`,
    `  p99 baseline (intervals ${plan.baseline.from}–${plan.baseline.to}, n=${verdict.baselineCount}) ${ms(verdict.baselineP99)}, ` +
      `last (intervals ${plan.last.from}–${plan.last.to}, n=${verdict.lastCount}) ${ms(verdict.lastP99)}`,
    `  heap after GC: end of interval ${plan.leakFrom} ${na(verdict.heapFrom, mib)}, end ${na(verdict.heapTo, mib)}${growth}`,
    `  ledger check: ${totals.ledger}`,
    ...totals.examples.map((e) => `  error: ${e}`),
    verdict.pass ? 'soak: PASS' : `soak: FAIL\n${verdict.reasons.map((r) => `  - ${r}`).join('\n')}`,
  ];
  return lines.join('\n');
}
