/**
 * Billing reconciliation Lambda (SPEC §10). EventBridge invokes it daily at 01:00 IST with
 * `{"job": "daily"}` (the previous IST day) and every 15 minutes with `{"job": "follow-up"}`
 * (resume unfinished runs, recheck `resent` days once their resends are synced); an operator may
 * invoke it with `{"date": "YYYY-MM-DD"}`, and after a database restore with
 * `{"date": "YYYY-MM-DD", "adopt_unknown": true}` (adopt what Flexprice holds and our ledger lost:
 * docs/operations.md "Adoption"; it runs here because this function reaches Flexprice). The algorithm is functions/billing/reconciliation.ts.
 *
 * Metrics (service `reconcile`): `ReconciliationDrift` and `ReconciliationFailed` (1 per run that
 * ended so; the alarms watch them), and the counters of each run that finished.
 */
import { type ReconcileDeps, reconcileDay } from './billing/reconciliation';
import { reconcileAndAdopt } from './billing/reconciliation-adopt';
import { reconciliationDeps } from './billing/reconciliation-deps';
import { followUpDays, type RunRow } from './billing/reconciliation-store';
import { DAY_MS, istDate } from './core/ist';
import { dayRange, previousDay, summaryLine } from './core/reconciliation';
import { MetricUnit, powertools } from './platform/powertools';

const tools = powertools('reconcile');

export interface ReconcileEvent {
  /** An IST calendar day to reconcile (start or resume its run). */
  date?: string;
  /** `daily` (default): the previous IST day; `follow-up`: unfinished and `resent` days. */
  job?: 'daily' | 'follow-up';
  /** With `date`: adopt events of our shape Flexprice holds and the ledger lacks, first. */
  adopt_unknown?: boolean;
}

/**
 * Stop starting new steps when less than this is left (a quarter of a shorter timeout): one step
 * of customers, with its retries, must still fit before Lambda stops the invocation.
 */
const STEP_RESERVE_MS = 3 * 60_000;

function emit(run: RunRow) {
  const m = tools.metrics;
  m.addMetric('ReconciliationFailed', MetricUnit.Count, run.state === 'failed' ? 1 : 0);
  if (run.state !== 'finished') return;
  m.addMetric('ReconciliationDrift', MetricUnit.Count, run.status === 'drift' ? 1 : 0);
  m.addMetric('ReconciliationEventsResent', MetricUnit.Count, run.tally.resent);
  m.addMetric('ReconciliationEventsUnknown', MetricUnit.Count, run.tally.unknown);
  m.addMetric('ReconciliationQuantityMismatches', MetricUnit.Count, run.tally.mismatches);
  m.addMetric('ReconciliationEventsStillMissing', MetricUnit.Count, run.tally.stillMissing);
}

export const handler = async (
  event: ReconcileEvent | null,
  context?: { getRemainingTimeInMillis(): number },
) => {
  if (event?.date !== undefined && !dayRange(event.date)) {
    throw new Error(`Not a calendar date (YYYY-MM-DD): ${String(event.date).slice(0, 40)}`);
  }
  const setup = await reconciliationDeps();
  if (!setup.ready && setup.reason === 'not_configured') {
    tools.logger.info('reconciliation disabled: no Flexprice API key configured');
    return { enabled: false };
  }
  if (!setup.ready) {
    tools.logger.warn('reconciliation: Flexprice key not set; see docs/billing.md');
    return { enabled: true, keySet: false };
  }
  const { sql, config } = setup.deps;
  const remaining = context?.getRemainingTimeInMillis();
  const deadline =
    remaining === undefined ? undefined : Date.now() + remaining - Math.min(STEP_RESERVE_MS, remaining / 4);
  const outOfTime = () => deadline !== undefined && Date.now() > deadline;
  const deps: ReconcileDeps = { ...setup.deps, logger: tools.logger, outOfTime };
  const now = new Date();
  const days = event?.date
    ? [event.date]
    : event?.job === 'follow-up'
      ? await followUpDays(
          sql,
          now,
          istDate(now.getTime() - config.followUpDays * DAY_MS),
          new Date(now.getTime() - config.recheckAfterMs),
        )
      : [previousDay(now)];

  const runs: { day: string; state: string; status: string | null; summary: string; adopted: number }[] = [];
  try {
    for (const day of days) {
      if (outOfTime()) break;
      const adopt = event?.adopt_unknown === true && event.date !== undefined;
      const run = adopt ? (await reconcileAndAdopt(day, deps)).run : await reconcileDay(day, deps);
      if (!run) continue;
      emit(run);
      const summary = summaryLine(day, run.status, run.customersChecked, run.tally);
      tools.logger.info(`reconciliation: ${summary}`, { state: run.state, invocations: run.invocations });
      runs.push({ day, state: run.state, status: run.status, summary, adopted: run.adopted });
    }
  } finally {
    if (tools.metrics.hasStoredMetrics()) tools.metrics.publishStoredMetrics();
  }
  return { enabled: true, runs };
};
