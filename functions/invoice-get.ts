/**
 * GET /api/billing/invoices/{id} — one of the caller's invoices with its lines. Another user's
 * invoice is a 404 like an unknown one, so ids cannot be probed.
 */

import { authenticatedRoute } from './accounts/routes';
import { parseInvoiceId } from './billing/invoice-requests';
import { sqlInvoiceStore } from './billing/invoice-store';
import { invoiceJson } from './core/invoices';
import { db } from './platform/db';
import { notFound } from './platform/errors';
import { json } from './platform/http';

export const handler = authenticatedRoute('invoice-get', async ({ event, user }) => {
  const id = parseInvoiceId(event.pathParameters);
  const invoice = await sqlInvoiceStore(await db()).get(id, user.sub);
  if (!invoice) throw notFound('There is no such invoice');
  return json(200, invoiceJson(invoice));
});
