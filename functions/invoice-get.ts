/**
 * GET /api/billing/invoices/{id} — one of the caller's invoices with its lines. Another user's
 * invoice is a 404 like an unknown one, so ids cannot be probed.
 */
import { invoiceJson } from './core/invoices';
import { authenticatedRoute } from './shared/api';
import { db } from './shared/db';
import { notFound } from './shared/errors';
import { json } from './shared/http';
import { parseInvoiceId } from './shared/invoice-requests';
import { sqlInvoiceStore } from './shared/invoice-store';

export const handler = authenticatedRoute('invoice-get', async ({ event, user }) => {
  const id = parseInvoiceId(event.pathParameters);
  const invoice = await sqlInvoiceStore(await db()).get(id, user.sub);
  if (!invoice) throw notFound('There is no such invoice');
  return json(200, invoiceJson(invoice));
});
