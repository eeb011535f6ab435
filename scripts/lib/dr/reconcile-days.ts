/**
 * Reconcile a range of IST days, adopting first when asked: what `npm run reconcile` and the
 * drill share. Pure date arithmetic plus the billing functions; prints one line per day.
 */
import type { ReconcileDeps } from '../../../functions/billing/reconciliation';
import { reconcileDay } from '../../../functions/billing/reconciliation';
import { reconcileAndAdopt } from '../../../functions/billing/reconciliation-adopt';
import { dayRange, summaryLine } from '../../../functions/core/reconciliation';

/** At most this many days per command: a restore covers 14 days of backups. */
const MAX_DAYS = 31;

/** The IST days from `from` to `to` inclusive, or why not. */
export function daysBetween(from: string, to: string): string[] | string {
  const a = dayRange(from);
  const b = dayRange(to);
  if (!a || !b) return `Not calendar dates (YYYY-MM-DD): ${from}, ${to}`;
  if (a.start > b.start) return `--from ${from} is after --to ${to}`;
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  if (days.length > MAX_DAYS) return `At most ${MAX_DAYS} days at once`;
  return days;
}

/**
 * Each day in turn: `ok` when every day ended matched or resent, and the ledger rows adopted
 * from Flexprice over all days (0 without `adopt`).
 */
export async function reconcileDays(
  days: readonly string[],
  adopt: boolean,
  deps: ReconcileDeps,
  print: (line: string) => void,
): Promise<{ ok: boolean; adopted: number }> {
  let ok = true;
  let adopted = 0;
  for (const day of days) {
    const { run, adoption } = adopt
      ? await reconcileAndAdopt(day, deps)
      : { run: await reconcileDay(day, deps), adoption: null };
    if (!run) {
      print(`${day}: another run of this day is in progress; try again when it ends.`);
      ok = false;
      continue;
    }
    const line = summaryLine(day, run.status, run.customersChecked, run.tally);
    adopted += adoption?.adopted ?? 0;
    const counts = adoption
      ? `; ${adoption.adopted} adopted, ${adoption.unknown.length} unknown not adoptable`
      : '';
    print(run.state === 'failed' ? `${line}${counts} (failed: ${run.lastError})` : `${line}${counts}`);
    ok &&= run.state === 'finished' && run.status !== 'drift';
  }
  return { ok, adopted };
}
