/**
 * Validation of the invoice routes' inputs (zod). Each failure is a 400 problem naming the field.
 */
import { z } from 'zod';
import { INVOICE_STATUSES, type InvoiceStatus } from '../core/invoices';
import { badRequest, type FieldError } from '../platform/errors';

/** Any 8-4-4-4-12 hex id, as PostgreSQL's uuid type accepts it. */
const InvoiceId = z.guid();

/** The `{id}` path parameter; 400 when it is not a uuid (so it never reaches SQL). */
export function parseInvoiceId(pathParameters: Record<string, string | undefined> | undefined): string {
  const parsed = InvoiceId.safeParse(pathParameters?.id);
  if (!parsed.success) {
    throw badRequest('id must be an invoice id (a uuid)', [{ field: 'id', message: 'must be a uuid' }]);
  }
  return parsed.data.toLowerCase();
}

/** `?status=issued|overdue|paid`, or null when absent. */
export function parseStatusFilter(
  query: Record<string, string | undefined> | undefined,
): InvoiceStatus | null {
  const value = query?.status;
  if (value === undefined) return null;
  if (!(INVOICE_STATUSES as readonly string[]).includes(value)) {
    const message = `must be one of ${INVOICE_STATUSES.join(', ')}`;
    throw badRequest(`status ${message}`, [{ field: 'status', message }]);
  }
  return value as InvoiceStatus;
}

/** How far in the future a `paid_at` may lie (clock skew between the payer's system and ours). */
const MAX_FUTURE_MS = 5 * 60_000;

const PaymentBody = z.strictObject({
  // 1-200 printable ASCII characters, the first and last not a space.
  reference: z
    .string()
    .regex(
      /^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/,
      'must be 1-200 printable ASCII characters without leading or trailing spaces',
    ),
  paid_at: z.iso.datetime({ offset: true }).optional(),
});

export interface Payment {
  reference: string;
  paidAt: Date;
}

const fieldErrors = (error: z.ZodError): FieldError[] =>
  error.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : i.code === 'unrecognized_keys' ? i.keys.join(',') : 'body',
    message: i.message,
  }));

/** The parsed JSON body of POST /api/admin/invoices/{id}/payment: `{ reference, paid_at? }` (default: now). */
export function parsePayment(json: unknown, now: Date): Payment {
  const parsed = PaymentBody.safeParse(json);
  if (!parsed.success) throw badRequest('The payment is invalid', fieldErrors(parsed.error));
  const paidAt = parsed.data.paid_at ? new Date(parsed.data.paid_at) : now;
  if (paidAt.getTime() > now.getTime() + MAX_FUTURE_MS) {
    throw badRequest('paid_at must not be in the future', [
      { field: 'paid_at', message: 'must not be in the future' },
    ]);
  }
  return { reference: parsed.data.reference, paidAt };
}
