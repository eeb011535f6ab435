/**
 * GET /api/billing/invoices — the caller's invoices, newest month first; `?status=` filters.
 * At most one invoice per month, so the list is short and unpaged.
 */

import { authenticatedRoute } from './accounts/routes';
import { parseStatusFilter } from './billing/invoice-requests';
import { sqlInvoiceStore } from './billing/invoice-store';
import { invoiceSummaryJson } from './core/invoices';
import { db } from './platform/db';
import { json } from './platform/http';

export const handler = authenticatedRoute('invoice-list', async ({ event, user }) => {
  const status = parseStatusFilter(event.queryStringParameters);
  const invoices = await sqlInvoiceStore(await db()).list(user.sub, status);
  return json(200, { invoices: invoices.map(invoiceSummaryJson) });
});
