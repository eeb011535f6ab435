/**
 * GET /api/billing — the caller's bill for `?period=YYYY-MM` (default: the current month in
 * Asia/Kolkata): line items per feature and snapshotted unit price, subtotal, status and due
 * date. A future period has no bill yet: 404.
 *
 * Once the month's invoice is issued (functions/invoices.ts), `status` is the invoice's
 * (`issued`, `overdue`, `paid`) instead of `closed`, and `invoice` names it (id, number, late
 * fee, total); before that there is no `invoice` field. The invoice is the payable document.
 */

import { authenticatedRoute } from './accounts/routes';
import { defaultUsageStore } from './analysis/usage-store';
import { sqlInvoiceStore } from './billing/invoice-store';
import { paiseToRupees } from './core/money';
import { type Period, parsePeriod, periodAt } from './core/periods';
import { buildBill } from './core/pricing';
import { db } from './platform/db';
import { badRequest, notFound } from './platform/errors';
import { json } from './platform/http';

/** Validate `?period=`; the current period when absent. Pure. */
function parseBillingPeriod(value: string | undefined, now: Date): Period {
  if (value === undefined) return periodAt(now);
  const period = parsePeriod(value);
  if (!period) {
    const message = 'must be a month YYYY-MM (2000-01 or later)';
    throw badRequest(`period ${message}`, [{ field: 'period', message }]);
  }
  if (period.start > now) throw notFound(`There is no bill for ${value} yet`);
  return period;
}

export const handler = authenticatedRoute('billing', async ({ event, user }) => {
  const now = new Date();
  const period = parseBillingPeriod(event.queryStringParameters?.period, now);
  const store = await defaultUsageStore();
  const [groups, invoice] = await Promise.all([
    store.periodGroups(user.sub, period.firstDay),
    // The running month has no invoice yet: skip the read.
    now < period.end ? null : sqlInvoiceStore(await db()).forPeriod(user.sub, period.firstDay),
  ]);
  const bill = buildBill(period, groups, now);
  if (!invoice) return json(200, bill);
  return json(200, {
    ...bill,
    status: invoice.status,
    invoice: {
      id: invoice.id,
      number: invoice.number,
      late_fee: paiseToRupees(invoice.lateFeePaise),
      total: paiseToRupees(invoice.totalPaise),
    },
  });
});
