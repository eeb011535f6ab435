/**
 * The invoice jobs, run daily at 00:30 IST by EventBridge (`{ "job": "close-month" }` and
 * `{ "job": "mark-overdue" }`) and periodically by `npm start` through the exported functions.
 *
 * - close-month: every ended IST month with usage and no invoice yet gets, per user, one invoice
 *   (status `issued`) with its lines from the ledger's snapshotted prices. The running month never.
 * - mark-overdue: an `issued` invoice becomes `overdue` from 00:00 IST the day after its due date,
 *   with exactly one late-fee line (2.5 % of the usage subtotal, half-up to whole paise).
 *
 * Both are idempotent and safe to run concurrently (see functions/shared/invoice-store.ts):
 * re-running either any number of times, at once or later, changes nothing.
 */
import { z } from 'zod';
import { issueInvoices, markInvoicesOverdue, pendingInvoices } from './billing/invoice-store';
import { buildInvoice, periodOfFirstDay } from './core/invoices';
import type { Paise } from './core/money';
import { dateOf, periodAt } from './core/periods';
import { db, type Sql } from './platform/db';
import { MetricUnit, powertools } from './platform/powertools';

/** Users per close-month transaction, and invoices per mark-overdue transaction. */
const BATCH = 500;

export interface JobInput {
  sql: Sql;
  now: Date;
  /** Rows per transaction; default 500 (tests use small batches). */
  batchSize?: number;
}

/** Issue the invoices of every ended month that lack one. Returns how many were issued. */
export async function closeMonths({ sql, now, batchSize = BATCH }: JobInput): Promise<{ issued: number }> {
  const current = periodAt(now).firstDay;
  let issued = 0;
  for (;;) {
    const pending = await pendingInvoices(sql, current, batchSize);
    if (pending.length === 0) return { issued };
    const byPeriod = new Map<string, string[]>();
    for (const p of pending) byPeriod.set(p.period, [...(byPeriod.get(p.period) ?? []), p.user_sub]);
    for (const [firstDay, subs] of byPeriod) {
      const period = periodOfFirstDay(firstDay);
      const done = await issueInvoices(sql, firstDay, subs, now, (groups) => buildInvoice(period, groups));
      issued += done.length;
    }
  }
}

/** Mark issued invoices past their due date overdue, each with one late fee. */
export async function markOverdue({
  sql,
  now,
  batchSize = BATCH,
}: JobInput): Promise<{ overdue: number; lateFeesPaise: Paise }> {
  // Overdue when the due date is before today's IST date, i.e. from 00:00 IST after the due date.
  const today = dateOf(now);
  let overdue = 0;
  let lateFeesPaise = 0n;
  for (;;) {
    const marked = await markInvoicesOverdue(sql, today, now, batchSize);
    if (marked.length === 0) return { overdue, lateFeesPaise };
    overdue += marked.length;
    for (const m of marked) lateFeesPaise += m.feePaise;
  }
}

const JobEvent = z.object({ job: z.enum(['close-month', 'mark-overdue']) });
export type JobEvent = z.infer<typeof JobEvent>;

const { logger, metrics } = powertools('invoices');

/** EventBridge entry point. An unknown event throws, so a misconfigured schedule fails loudly. */
export async function handler(event: unknown): Promise<Record<string, number | string>> {
  const { job } = JobEvent.parse(event);
  const sql = await db();
  const now = new Date();
  try {
    if (job === 'close-month') {
      const { issued } = await closeMonths({ sql, now });
      metrics.addMetric('InvoicesIssued', MetricUnit.Count, issued);
      logger.info('months closed', { issued });
      return { job, issued };
    }
    const { overdue, lateFeesPaise } = await markOverdue({ sql, now });
    metrics.addMetric('InvoicesOverdue', MetricUnit.Count, overdue);
    metrics.addMetric('LateFeesPaise', MetricUnit.Count, Number(lateFeesPaise));
    logger.info('overdue invoices marked', { overdue, lateFeesPaise: lateFeesPaise.toString() });
    return { job, overdue, late_fees_paise: lateFeesPaise.toString() };
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
