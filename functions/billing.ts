/**
 * GET /api/billing — the caller's bill for `?period=YYYY-MM` (default: the current month in
 * Asia/Kolkata): line items per feature and snapshotted unit price, subtotal, status and due
 * date. A future period has no bill yet: 404.
 */
import { type Period, parsePeriod, periodAt } from './core/periods';
import { buildBill } from './core/pricing';
import { authenticatedRoute } from './shared/api';
import { badRequest, notFound } from './shared/errors';
import { json } from './shared/http';
import { defaultUsageStore } from './shared/usage-store';

/** Validate `?period=`; the current period when absent. Pure. */
export function parseBillingPeriod(value: string | undefined, now: Date): Period {
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
  const groups = await store.periodGroups(user.sub, period.firstDay);
  return json(200, buildBill(period, groups, now));
});
