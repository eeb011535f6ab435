/**
 * POST /api/admin/invoices/{id}/payment — record the full payment of an invoice (admins only).
 * Body `{ "reference": "…", "paid_at"?: "<ISO time>" }`; the invoice becomes `paid`.
 * Idempotent: the same reference again answers 200 with the invoice unchanged; another reference
 * for a paid invoice is a 409. 403 for non-admins (before any lookup), 404 for an unknown id.
 * `paid_at` may not be before the invoice was issued (400), nor in the future (invoice-requests).
 */

import { authenticatedRoute } from './accounts/routes';
import { parseInvoiceId, parsePayment } from './billing/invoice-requests';
import { sqlInvoiceStore } from './billing/invoice-store';
import { invoiceJson } from './core/invoices';
import { isAdmin } from './platform/auth';
import { db } from './platform/db';
import { badRequest, conflict, forbidden, notFound } from './platform/errors';
import { json, jsonBody } from './platform/http';
import { journal } from './platform/journal';
import { MetricUnit } from './platform/powertools';

export const handler = authenticatedRoute('invoice-payment', async ({ event, user }, { logger, metrics }) => {
  if (!isAdmin(user)) throw forbidden('Recording payments is only for administrators');
  const id = parseInvoiceId(event.pathParameters);
  const payment = parsePayment(jsonBody(event, '{"reference": "…", "paid_at"?: "<ISO time>"}'), new Date());
  const store = sqlInvoiceStore(await db());
  // Journaled first: a restore must not forget a payment (platform/journal.ts).
  await journal().append({
    kind: 'invoice_paid',
    at: new Date().toISOString(),
    invoiceId: id,
    reference: payment.reference,
    paidAt: payment.paidAt.toISOString(),
  });
  const paid = await store.pay(id, payment.reference, payment.paidAt);
  if (paid) {
    metrics.addMetric('InvoicesPaid', MetricUnit.Count, 1);
    logger.info('invoice paid', { invoice: paid.number, by: user.sub });
    return json(200, invoiceJson(paid));
  }
  // Nothing changed: unknown, paid already (a retry with the same reference is fine), or
  // backdated before the invoice existed.
  const existing = await store.get(id, null);
  if (!existing) throw notFound('There is no such invoice');
  if (existing.status !== 'paid') {
    const message = `must not be before the invoice was issued (${existing.issuedAt.toISOString()})`;
    throw badRequest(`paid_at ${message}`, [{ field: 'paid_at', message }]);
  }
  if (existing.paymentReference !== payment.reference) {
    throw conflict(`Invoice ${existing.number} is already paid under another reference`);
  }
  return json(200, invoiceJson(existing), { 'idempotent-replayed': 'true' });
});
