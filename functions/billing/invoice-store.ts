/**
 * Invoices as the routes read them (migrations/0004): one user's list, one invoice with its
 * lines, a month's invoice, and the admin's payment write. The jobs' writes are in
 * invoice-jobs-store.ts.
 */
import { type InvoiceLine, type InvoiceStatus, periodOfFirstDay, type StoredInvoice } from '../core/invoices';
import type { Sql } from '../platform/db';

interface InvoiceRow {
  id: string;
  number: string;
  period: string;
  status: InvoiceStatus;
  subtotal_paise: string;
  late_fee_paise: string;
  total_paise: string;
  issued_at: Date;
  due_date: string;
  overdue_at: Date | null;
  paid_at: Date | null;
  payment_reference: string | null;
  user_sub: string;
  lines?: Array<{
    kind: InvoiceLine['kind'];
    feature: InvoiceLine['feature'];
    quantity: string;
    unit_price_paise: string;
    amount_paise: string;
  }>;
}

const COLUMNS = `i.id, i.number, i.period::text AS period, i.status, i.subtotal_paise::text,
  i.late_fee_paise::text, i.total_paise::text, i.issued_at, i.due_date::text AS due_date, i.overdue_at,
  i.paid_at, i.payment_reference, i.user_sub`;

const WITH_LINES = `${COLUMNS},
  (SELECT json_agg(json_build_object('kind', l.kind, 'feature', l.feature, 'quantity', l.quantity::text,
            'unit_price_paise', l.unit_price_paise::text, 'amount_paise', l.amount_paise::text) ORDER BY l.line_no)
     FROM invoice_lines l WHERE l.invoice_id = i.id) AS lines`;

export type InvoiceWithOwner = StoredInvoice & { userSub: string };

function toInvoice(r: InvoiceRow): InvoiceWithOwner {
  return {
    id: r.id,
    number: r.number,
    period: periodOfFirstDay(r.period),
    status: r.status,
    subtotalPaise: BigInt(r.subtotal_paise),
    lateFeePaise: BigInt(r.late_fee_paise),
    totalPaise: BigInt(r.total_paise),
    issuedAt: r.issued_at,
    dueDate: r.due_date,
    overdueAt: r.overdue_at,
    paidAt: r.paid_at,
    paymentReference: r.payment_reference,
    userSub: r.user_sub,
    lines: (r.lines ?? []).map((l) => ({
      kind: l.kind,
      feature: l.feature,
      quantity: BigInt(l.quantity),
      unitPricePaise: BigInt(l.unit_price_paise),
      amountPaise: BigInt(l.amount_paise),
    })),
  };
}

export interface InvoiceStore {
  /** One user's invoices, newest month first, optionally of one status (no lines). */
  list(userSub: string, status: InvoiceStatus | null): Promise<InvoiceWithOwner[]>;
  /** An invoice with its lines; with `userSub`, only if that user owns it. */
  get(id: string, userSub: string | null): Promise<InvoiceWithOwner | null>;
  /** One user's invoice of a month (its first day), without lines. */
  forPeriod(userSub: string, periodFirstDay: string): Promise<InvoiceWithOwner | null>;
  /**
   * Mark an unpaid invoice paid, if `paidAt` is not before it was issued; null when it is
   * unknown, already paid, or issued after `paidAt` (nothing changed).
   */
  pay(id: string, reference: string, paidAt: Date): Promise<InvoiceWithOwner | null>;
}

export function sqlInvoiceStore(sql: Sql): InvoiceStore {
  return {
    async list(userSub, status) {
      const rows = await sql.unsafe<InvoiceRow[]>(
        `SELECT ${COLUMNS} FROM invoices i
         WHERE i.user_sub = $1 AND ($2::text IS NULL OR i.status = $2)
         ORDER BY i.period DESC`,
        [userSub, status],
      );
      return rows.map(toInvoice);
    },

    async get(id, userSub) {
      const [row] = await sql.unsafe<InvoiceRow[]>(
        `SELECT ${WITH_LINES} FROM invoices i WHERE i.id = $1::uuid AND ($2::text IS NULL OR i.user_sub = $2)`,
        [id, userSub],
      );
      return row ? toInvoice(row) : null;
    },

    async forPeriod(userSub, periodFirstDay) {
      const [row] = await sql.unsafe<InvoiceRow[]>(
        `SELECT ${COLUMNS} FROM invoices i WHERE i.user_sub = $1 AND i.period = $2::date`,
        [userSub, periodFirstDay],
      );
      return row ? toInvoice(row) : null;
    },

    async pay(id, reference, paidAt) {
      const [row] = await sql.unsafe<InvoiceRow[]>(
        `WITH paid AS (
           UPDATE invoices SET status = 'paid', paid_at = $3, payment_reference = $2
           WHERE id = $1::uuid AND status <> 'paid' AND issued_at <= $3
           RETURNING *
         )
         SELECT ${WITH_LINES} FROM paid i`,
        [id, reference, paidAt],
      );
      return row ? toInvoice(row) : null;
    },
  };
}
