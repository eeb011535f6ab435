/**
 * Monthly invoices: numbering, the lines of a closed month, the overdue rule and the late fee.
 * Pure, exact paise; the clock is an argument. See docs/billing.md "Invoices".
 */

import { istDate } from './ist';
import { type Paise, paiseToRupees, sum } from './money';
import { type Period, parsePeriod } from './periods';
import { billOrder, CURRENCY, type Feature, type LedgerGroup } from './pricing';

export type InvoiceStatus = 'issued' | 'overdue' | 'paid';
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['issued', 'overdue', 'paid'];

/** The late fee in per mille of the usage subtotal: 25 ‰ = 2.5 %. */
const LATE_FEE_PER_MILLE = 25n;

export type LineKind = 'usage' | 'late_fee';

export interface InvoiceLine {
  kind: LineKind;
  feature: Feature | 'late_fee';
  quantity: bigint;
  unitPricePaise: Paise;
  amountPaise: Paise;
}

/** An invoice about to be issued: what close-month writes. */
export interface NewInvoice {
  period: Period;
  lines: InvoiceLine[];
  subtotalPaise: Paise;
  dueDate: string;
}

/**
 * The invoice number: `SC-<YYYY>-<MM>-<n>`, n the month's counter, zero-padded to 6 digits (more
 * digits past 999,999 invoices in a month). Unique because (month, n) is; stable because it is
 * stored at issue and an invoice is never issued twice.
 */
export function invoiceNumber(period: Period, n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`Invoice counter must be ≥ 1: ${n}`);
  return `SC-${period.name}-${String(n).padStart(6, '0')}`;
}

/**
 * The invoice of a closed month from its ledger groups (feature × snapshotted unit price): one
 * usage line per group, amount = quantity × unit price, subtotal = their sum. Later price-list
 * changes cannot reach it: only the snapshotted prices are read.
 */
export function buildInvoice(period: Period, groups: readonly LedgerGroup[]): NewInvoice {
  const lines: InvoiceLine[] = [...groups]
    .filter((g) => g.quantity > 0n)
    .sort(billOrder)
    .map((g) => ({
      kind: 'usage',
      feature: g.feature,
      quantity: g.quantity,
      unitPricePaise: g.unitPricePaise,
      amountPaise: g.unitPricePaise * g.quantity,
    }));
  return { period, lines, subtotalPaise: sum(lines.map((l) => l.amountPaise)), dueDate: period.dueDate };
}

/**
 * The late fee of a usage subtotal: 2.5 %, rounded half up to whole paise, computed on integers:
 * `(subtotal × 25 + 500) div 1000` (integer division of non-negative bigints). Its base is the usage subtotal only, so a fee is
 * never charged on a fee, and the job applies it once per invoice.
 * Examples: 9.00 INR → 0.225 → 0.23 INR; 0.20 INR → 0.005 → 0.01 INR; 0.19 INR → 0.00475 → 0.00.
 */
export function lateFee(subtotalPaise: Paise): Paise {
  if (subtotalPaise < 0n) throw new RangeError('A subtotal cannot be negative');
  return (subtotalPaise * LATE_FEE_PER_MILLE + 500n) / 1000n;
}

/** The late-fee line of an invoice with this usage subtotal. */
export function lateFeeLine(subtotalPaise: Paise): InvoiceLine {
  const fee = lateFee(subtotalPaise);
  return { kind: 'late_fee', feature: 'late_fee', quantity: 1n, unitPricePaise: fee, amountPaise: fee };
}

/**
 * The overdue rule, in one place: at `now`, every issued invoice due before the returned IST
 * calendar date is overdue. An invoice is thus payable through its whole due date and overdue
 * from 00:00 IST the day after. The mark-overdue job hands it to SQL as `due_date < $1::date`.
 */
export function overdueIfDueBefore(now: Date): string {
  return istDate(now);
}

/** `YYYY-MM` of a period's first day `YYYY-MM-01`. */
export const periodOfFirstDay = (firstDay: string): Period => {
  const period = parsePeriod(firstDay.slice(0, 7));
  if (!period) throw new RangeError(`Not a period start: ${firstDay}`);
  return period;
};

const DESCRIPTIONS: Record<Feature | 'late_fee', string> = {
  portfolio_analysis: 'Portfolio analyses',
  advice_generation: 'Advice items generated',
  late_fee: 'Late fee (2.5 % of the usage subtotal)',
};

/** A stored invoice as the API shows it (amounts in rupees, ≤ 2 decimals). */
export interface StoredInvoice {
  id: string;
  number: string;
  period: Period;
  status: InvoiceStatus;
  subtotalPaise: Paise;
  lateFeePaise: Paise;
  totalPaise: Paise;
  issuedAt: Date;
  dueDate: string;
  overdueAt: Date | null;
  paidAt: Date | null;
  paymentReference: string | null;
  lines: InvoiceLine[];
}

/** The summary fields of an invoice in JSON (the list shows these). */
export function invoiceSummaryJson(inv: Omit<StoredInvoice, 'lines'>) {
  return {
    id: inv.id,
    number: inv.number,
    period: inv.period.name,
    status: inv.status,
    currency: CURRENCY,
    subtotal: paiseToRupees(inv.subtotalPaise),
    late_fee: paiseToRupees(inv.lateFeePaise),
    total: paiseToRupees(inv.totalPaise),
    issued_at: inv.issuedAt.toISOString(),
    due_date: inv.dueDate,
    overdue_at: inv.overdueAt?.toISOString() ?? null,
    paid_at: inv.paidAt?.toISOString() ?? null,
    payment_reference: inv.paymentReference,
  };
}

/** A whole invoice in JSON: the summary, the period's days and the lines. */
export function invoiceJson(inv: StoredInvoice) {
  return {
    ...invoiceSummaryJson(inv),
    period_start: inv.period.firstDay,
    period_end: inv.period.lastDay,
    lines: inv.lines.map((l) => ({
      kind: l.kind,
      feature: l.feature,
      description: DESCRIPTIONS[l.feature],
      quantity: Number(l.quantity),
      unit_price: paiseToRupees(l.unitPricePaise),
      amount: paiseToRupees(l.amountPaise),
    })),
  };
}
