/**
 * Billing reconciliation of one IST day against Flexprice (SPEC §10; docs/billing.md).
 *
 * Customers with billed usage that day are checked in `user_sub` order, a step of
 * `customersPerStep` at a time (`concurrency` of them at once). Per customer and feature the
 * cheap check is Flexprice's SUM of `quantity` against ours; only where they differ are the
 * events listed and compared one by one (functions/core/reconciliation.ts). Events Flexprice
 * lacks go back into the outbox; after each step the counters, findings and the cursor are
 * saved. When the time budget is spent the run is `paused` and a later invocation resumes at the
 * cursor; when Flexprice or the database fails it is `failed` (reason stored) and resumes the same
 * way. A run ends `finished` with a status once every customer is checked.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { classifyFailure } from '../core/billing-sync';
import { FEATURES } from '../core/pricing';
import {
  addTally,
  agreed,
  compareEvents,
  type DecisionContext,
  dayRange,
  emptyTally,
  keepFindings,
  type LedgerEvent,
  type Outcome,
  runStatus,
  sumQuantities,
  type Tally,
  totalsAgree,
} from '../core/reconciliation';
import type { Sql } from '../platform/db';
import type { ReconcileConfig } from './config';
import { customersAfter, ledgerEvents, resendEvents } from './reconciliation-ledger';
import type { DayRange, ProviderReader } from './reconciliation-provider';
import { closeRun, openRun, type RunRow, saveProgress } from './reconciliation-store';

/** The parts of Powertools' logger the run uses (the script passes a quieter one). */
export type ReconcileLogger = Pick<Logger, 'info' | 'warn'>;

export interface ReconcileDeps {
  sql: Sql;
  reader: ProviderReader;
  config: ReconcileConfig;
  logger: ReconcileLogger;
  /** @default () => new Date() */
  now?: () => Date;
  /** True once the invocation must stop starting new steps (its time budget). @default never */
  outOfTime?: () => boolean;
  /** Never stored or logged: the Flexprice key and URL. */
  secrets?: readonly string[];
}

export class InvalidDayError extends Error {
  override name = 'InvalidDayError';
}

/** Run `work` over `items` with at most `limit` at once; the first failure rejects. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One customer, every feature: the SUM first, the event list only where it differs. */
async function checkCustomer(
  customer: string,
  ours: readonly LedgerEvent[],
  range: DayRange,
  reader: ProviderReader,
  ctx: DecisionContext,
): Promise<Outcome> {
  const outcomes: Outcome[] = [];
  for (const feature of FEATURES) {
    const mine = ours.filter((e) => e.feature === feature);
    const theirTotal = await reader.usageSum(customer, feature, range);
    if (totalsAgree(sumQuantities(mine), theirTotal)) {
      outcomes.push(agreed(mine));
      continue;
    }
    const theirs = await reader.listEvents(customer, feature, range);
    outcomes.push(compareEvents(mine, theirs, range, ctx));
  }
  return {
    tally: outcomes.reduce((t, o) => addTally(t, o.tally), emptyTally()),
    resend: outcomes.flatMap((o) => o.resend),
    findings: outcomes.flatMap((o) => o.findings),
  };
}

/** One step: the next customers after the cursor, checked, resent and saved. False when none are left. */
async function step(run: RunRow, range: DayRange, deps: ReconcileDeps, now: () => Date): Promise<boolean> {
  const { sql, config } = deps;
  const customers = await customersAfter(sql, range, run.cursor, config.customersPerStep);
  const last = customers.at(-1);
  if (last === undefined) return false;
  const events = await ledgerEvents(sql, customers, range);
  const ctx = { runId: run.id, now: now(), settleMs: config.settleMs };
  const outcomes = await pool(customers, config.concurrency, (c) =>
    checkCustomer(
      c,
      events.filter((e) => e.customer === c),
      range,
      deps.reader,
      ctx,
    ),
  );
  const tally = outcomes.reduce((t, o) => addTally(t, o.tally), emptyTally());
  const wanted = outcomes.flatMap((o) => o.resend.map((e) => e.eventId));
  const requeued = await resendEvents(sql, run, wanted, now());
  // A row that changed between the read and the resend (the sync took it) is on its way: pending.
  const notRequeued = wanted.length - requeued.length;
  tally.resent -= notRequeued;
  tally.pending += notRequeued;
  const findings = keepFindings(
    run.findings,
    outcomes.flatMap((o) => o.findings),
  );
  await saveProgress(sql, run.id, { cursor: last, customers: customers.length, tally, findings }, now());
  run.cursor = last;
  run.customersChecked += customers.length;
  run.tally = addTally(run.tally, tally);
  run.findings = findings;
  return true;
}

/**
 * Reconcile `day` (`YYYY-MM-DD`, IST) within this invocation's budget: start its run or resume
 * the unfinished one. Null when another invocation holds the day. Never throws for Flexprice or
 * database failures once the run is open: the run is stored as `failed` and returned.
 */
export async function reconcileDay(day: string, deps: ReconcileDeps): Promise<RunRow | null> {
  const range = dayRange(day);
  if (!range) throw new InvalidDayError(`Not a calendar date (YYYY-MM-DD): ${day}`);
  const now = deps.now ?? (() => new Date());
  const outOfTime = deps.outOfTime ?? (() => false);
  const run = await openRun(deps.sql, day, now(), deps.config.leaseMs);
  if (!run) {
    deps.logger.info('reconciliation: day held by another invocation', { day });
    return null;
  }
  try {
    for (;;) {
      if (outOfTime()) {
        deps.logger.info('reconciliation: out of time, pausing', { day, cursor: run.cursor });
        return await closeRun(deps.sql, run.id, { state: 'paused' }, now());
      }
      if (!(await step(run, range, deps, now))) break;
    }
    return await closeRun(deps.sql, run.id, { state: 'finished', status: runStatus(run.tally) }, now());
  } catch (error) {
    const { reason } = classifyFailure(error, deps.secrets ?? []);
    deps.logger.warn('reconciliation: run failed; the next run resumes it', { day, reason });
    return await closeRun(deps.sql, run.id, { state: 'failed', error: reason }, now());
  }
}

/** The counters of a run as one object (metrics, logs). */
export const totals = (run: RunRow): Tally & { customers: number } => ({
  ...run.tally,
  customers: run.customersChecked,
});
