/**
 * GET /api/billing/invoices — the caller's invoices, newest month first; `?status=` filters.
 * At most one invoice per month, so the list is short and unpaged.
 */
import { invoiceSummaryJson } from './core/invoices';
import { authenticatedRoute } from './shared/api';
import { db } from './shared/db';
import { json } from './shared/http';
import { parseStatusFilter } from './shared/invoice-requests';
import { sqlInvoiceStore } from './shared/invoice-store';

export const handler = authenticatedRoute('invoice-list', async ({ event, user }) => {
  const status = parseStatusFilter(event.queryStringParameters);
  const invoices = await sqlInvoiceStore(await db()).list(user.sub, status);
  return json(200, { invoices: invoices.map(invoiceSummaryJson) });
});
