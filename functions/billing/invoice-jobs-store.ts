/**
 * The SQL of the invoice jobs (migrations/0004): close-month issues invoices, mark-overdue adds
 * late fees. Concurrency guarantees come from the schema (one invoice per user and month, one
 * late-fee line per invoice) and from row locks: the month's counter row serialises closers,
 * `FOR UPDATE SKIP LOCKED` splits overdue work. The routes' reads are in invoice-store.ts.
 */
import {
  type InvoiceLine,
  invoiceNumber,
  lateFeeLine,
  type NewInvoice,
  periodOfFirstDay,
} from '../core/invoices';
import type { Paise } from '../core/money';
import type { Feature, LedgerGroup } from '../core/pricing';
import type { Sql } from '../platform/db';
import { journal } from '../platform/journal';

/** Reference stored on an invoice with nothing to pay, settled at issue. */
const NOTHING_DUE_REFERENCE = 'nothing-due';

/** (month first day, user) pairs with usage in an ended month and no invoice yet, oldest first. */
export async function pendingInvoices(
  sql: Sql,
  beforePeriod: string,
  limit: number,
): Promise<Array<{ period: string; user_sub: string }>> {
  return sql<Array<{ period: string; user_sub: string }>>`
    SELECT DISTINCT date_trunc('month', d.day)::date::text AS period, d.user_sub
    FROM usage_daily d
    WHERE d.day < ${beforePeriod}::date
      AND NOT EXISTS (SELECT 1 FROM invoices i
                      WHERE i.user_sub = d.user_sub AND i.period = date_trunc('month', d.day)::date)
    ORDER BY 1, 2
    LIMIT ${limit}`;
}

/**
 * Issue the invoices of one month for `subs` (those still without one) in ONE transaction.
 * `build` turns a user's ledger groups into the invoice (the pure core). The month's counter row
 * is locked first, so a concurrent closer waits, then sees these invoices and issues nothing.
 */
export async function issueInvoices(
  sql: Sql,
  periodFirstDay: string,
  subs: readonly string[],
  now: Date,
  build: (groups: LedgerGroup[]) => NewInvoice,
): Promise<Array<{ subtotalPaise: Paise }>> {
  return sql.begin(async (tx) => {
    await tx`INSERT INTO invoice_counters (period, last_number) VALUES (${periodFirstDay}, 0)
             ON CONFLICT (period) DO NOTHING`;
    const [counter]: [{ last_number: number }?] = await tx`
      SELECT last_number FROM invoice_counters WHERE period = ${periodFirstDay} FOR UPDATE`;
    if (!counter) throw new Error(`invoice counter of ${periodFirstDay} missing`);
    // Read after the lock: a closer that held it has committed, and its invoices are excluded.
    const rows = await tx<
      Array<{ user_sub: string; feature: Feature; unit_price_paise: string; quantity: string }>
    >`
      SELECT d.user_sub, d.feature, d.unit_price_paise::text, sum(d.quantity)::text AS quantity
      FROM usage_daily d
      WHERE d.user_sub = ANY(${subs as string[]}::text[])
        AND d.day >= ${periodFirstDay}::date AND d.day < (${periodFirstDay}::date + '1 month'::interval)::date
        AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.user_sub = d.user_sub AND i.period = ${periodFirstDay}::date)
      GROUP BY 1, 2, 3
      ORDER BY 1`;
    const bySub = new Map<string, LedgerGroup[]>();
    for (const r of rows) {
      const groups = bySub.get(r.user_sub) ?? [];
      groups.push({
        feature: r.feature,
        unitPricePaise: BigInt(r.unit_price_paise),
        quantity: BigInt(r.quantity),
      });
      bySub.set(r.user_sub, groups);
    }
    if (bySub.size === 0) return [];

    const period = periodOfFirstDay(periodFirstDay);
    let next = counter.last_number;
    const invoices: Array<Record<string, string>> = [];
    const lines: Array<Record<string, string | number>> = [];
    const issued: Array<{ subtotalPaise: Paise }> = [];
    for (const [sub, groups] of bySub) {
      const invoice = build(groups);
      const id = crypto.randomUUID();
      next += 1;
      // Nothing to pay (every snapshotted price was 0): settled at issue, so never overdue.
      const settled = invoice.subtotalPaise === 0n;
      invoices.push({
        id,
        number: invoiceNumber(period, next),
        user_sub: sub,
        status: settled ? 'paid' : 'issued',
        subtotal: invoice.subtotalPaise.toString(),
        due_date: invoice.dueDate,
        reference: settled ? NOTHING_DUE_REFERENCE : '',
      });
      invoice.lines.forEach((l, i) => {
        lines.push({ invoice_id: id, line_no: i + 1, ...lineColumns(l) });
      });
      issued.push({ subtotalPaise: invoice.subtotalPaise });
    }
    // Journaled inside the transaction, before it commits: a restore must never hand these
    // numbers out again; a failed journal write rolls the issue back (platform/journal.ts).
    await journal().append({
      kind: 'invoice_numbers_issued',
      at: now.toISOString(),
      period: periodFirstDay,
      lastNumber: next,
      invoices: invoices.map((i) => ({
        id: i.id as string,
        number: i.number as string,
        userSub: i.user_sub as string,
      })),
    });
    await tx.unsafe(ISSUE, [periodFirstDay, now, JSON.stringify(invoices), JSON.stringify(lines), next]);
    return issued;
  });
}

const lineColumns = (l: InvoiceLine) => ({
  kind: l.kind,
  feature: l.feature,
  quantity: l.quantity.toString(),
  unit_price_paise: l.unitPricePaise.toString(),
  amount_paise: l.amountPaise.toString(),
});

// One statement: the invoices, their lines, the counter. JSON goes in as text (see analysis-store).
const ISSUE = `
WITH inv AS (
  INSERT INTO invoices (id, number, user_sub, period, status, subtotal_paise, late_fee_paise, total_paise,
                        issued_at, due_date, paid_at, payment_reference)
  SELECT i.id, i.number, i.user_sub, $1::date, i.status, i.subtotal, 0, i.subtotal, $2, i.due_date,
         CASE WHEN i.status = 'paid' THEN $2::timestamptz END, nullif(i.reference, '')
  FROM jsonb_to_recordset($3::text::jsonb)
    AS i(id uuid, number text, user_sub text, status text, subtotal bigint, due_date date, reference text)
  ON CONFLICT DO NOTHING
  RETURNING id
), lines AS (
  INSERT INTO invoice_lines (invoice_id, line_no, kind, feature, quantity, unit_price_paise, amount_paise)
  SELECT l.invoice_id, l.line_no, l.kind, l.feature, l.quantity, l.unit_price_paise, l.amount_paise
  FROM jsonb_to_recordset($4::text::jsonb)
    AS l(invoice_id uuid, line_no smallint, kind text, feature text, quantity bigint,
         unit_price_paise bigint, amount_paise bigint)
  JOIN inv ON inv.id = l.invoice_id
  RETURNING 1
)
UPDATE invoice_counters SET last_number = $5 WHERE period = $1
RETURNING (SELECT count(*) FROM inv)::int AS issued, (SELECT count(*) FROM lines)::int AS lines`;

/**
 * Mark up to `limit` issued invoices due before `dueBefore` (an IST date, from the core's
 * `overdueIfDueBefore`) overdue, each with its one
 * late-fee line, in ONE transaction. Rows another run holds are skipped, not waited for; the
 * `status = 'issued'` re-check and the one-late-fee index make a second fee impossible anyway.
 */
export async function markInvoicesOverdue(
  sql: Sql,
  dueBefore: string,
  now: Date,
  limit: number,
): Promise<Array<{ feePaise: Paise }>> {
  return sql.begin(async (tx) => {
    const due = await tx<Array<{ id: string; subtotal_paise: string }>>`
      SELECT id, subtotal_paise::text FROM invoices
      WHERE status = 'issued' AND due_date < ${dueBefore}::date
      ORDER BY due_date, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
    if (due.length === 0) return [];
    const fees = due.map((d) => ({ id: d.id, ...lineColumns(lateFeeLine(BigInt(d.subtotal_paise))) }));
    const marked = await tx.unsafe<Array<{ fee: string }>>(OVERDUE, [JSON.stringify(fees), now]);
    return marked.map((m) => ({ feePaise: BigInt(m.fee) }));
  });
}

const OVERDUE = `
WITH f AS (
  SELECT * FROM jsonb_to_recordset($1::text::jsonb)
    AS f(id uuid, kind text, feature text, quantity bigint, unit_price_paise bigint, amount_paise bigint)
), marked AS (
  UPDATE invoices i SET status = 'overdue', late_fee_paise = f.amount_paise,
                        total_paise = i.subtotal_paise + f.amount_paise, overdue_at = $2
  FROM f WHERE i.id = f.id AND i.status = 'issued'
  RETURNING i.id, f.amount_paise
), lines AS (
  INSERT INTO invoice_lines (invoice_id, line_no, kind, feature, quantity, unit_price_paise, amount_paise)
  SELECT f.id, (SELECT max(line_no) + 1 FROM invoice_lines WHERE invoice_id = f.id),
         f.kind, f.feature, f.quantity, f.unit_price_paise, f.amount_paise
  FROM f JOIN marked ON marked.id = f.id
  RETURNING 1
)
SELECT marked.amount_paise::text AS fee FROM marked`;
