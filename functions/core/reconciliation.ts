/**
 * Billing reconciliation decisions (SPEC §10), free of I/O: which IST day to check, how our
 * ledger's events compare with the events Flexprice reports for one customer and feature, what
 * is sent again, and what status a run ends with. The edges (functions/billing/reconciliation*.ts)
 * read both sides, call these, and persist the outcome.
 */
import { dateOf, parseDay } from './periods';

export type OutboxStatus = 'pending' | 'sent' | 'dead';
export type RunStatus = 'matched' | 'resent' | 'drift';

/** One event of our ledger as the reconciliation sees it (usage_events + billing_outbox). */
export interface LedgerEvent {
  eventId: string;
  customer: string;
  feature: string;
  quantity: number;
  timestamp: Date;
  outbox: OutboxStatus;
  /** When Flexprice last accepted it (202); null while pending or dead. */
  sentAt: Date | null;
  /** When, and by which run, the reconciliation queued it again; null if it never did. */
  resend: { runId: string; at: Date } | null;
}

/** One event as Flexprice lists it: its `id` is the event id we sent. */
export interface ProviderEvent {
  id: string;
  customer: string;
  feature: string;
  /** `properties.quantity` as a number; null when absent or not numeric. */
  quantity: number | null;
  timestamp: Date | null;
}

export type FindingKind = 'resent' | 'still_missing' | 'unknown' | 'quantity_mismatch';

/** One line of what a run found, for the operator (GET /api/admin/reconciliation). */
export interface Finding {
  kind: FindingKind;
  eventId: string;
  customer: string;
  feature: string;
  /** Our quantity (null for an event unknown to us). */
  quantity: number | null;
  /** Flexprice's quantity (null when Flexprice lacks the event). */
  providerQuantity: number | null;
  timestamp: string | null;
}

export interface Tally {
  matched: number;
  resent: number;
  pending: number;
  stillMissing: number;
  unknown: number;
  mismatches: number;
}

export interface Outcome {
  tally: Tally;
  /** Ledger events to put back into the outbox now (same event id and timestamp). */
  resend: LedgerEvent[];
  findings: Finding[];
}

export interface DecisionContext {
  runId: string;
  now: Date;
  /**
   * Flexprice answers 202 before it stores an event: an event accepted less than this long ago
   * is not missing yet, only not visible yet.
   */
  settleMs: number;
}

/** Findings kept per run: enough to act on, bounded so a broken day cannot bloat a row. */
export const MAX_FINDINGS = 100;

export const emptyTally = (): Tally => ({
  matched: 0,
  resent: 0,
  pending: 0,
  stillMissing: 0,
  unknown: 0,
  mismatches: 0,
});

export function addTally(a: Tally, b: Tally): Tally {
  return {
    matched: a.matched + b.matched,
    resent: a.resent + b.resent,
    pending: a.pending + b.pending,
    stillMissing: a.stillMissing + b.stillMissing,
    unknown: a.unknown + b.unknown,
    mismatches: a.mismatches + b.mismatches,
  };
}

/** The instant range [start, end) of an IST calendar day `YYYY-MM-DD`; undefined if invalid. */
export const dayRange = parseDay;

/** The IST calendar day before the one `now` falls in: what the daily run checks. */
export function previousDay(now: Date): string {
  const today = parseDay(dateOf(now)) as { start: Date };
  return dateOf(new Date(today.start.getTime() - 1));
}

/** Sum of quantities: integers, so exact. */
export const sumQuantities = (events: readonly { quantity: number }[]) =>
  events.reduce((sum, e) => sum + e.quantity, 0);

/** Flexprice returns its SUM as a float (Go float64); our quantities are integers. */
export const totalsAgree = (ours: number, theirs: number) => Math.abs(ours - theirs) < 1e-6;

/** `properties.quantity` as Flexprice returns it: the string we sent, or a number. */
export function quantityOf(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) && (typeof value !== 'string' || value.trim() !== '') ? n : null;
}

const settled = (sentAt: Date | null, ctx: DecisionContext) =>
  sentAt !== null && ctx.now.getTime() - sentAt.getTime() >= ctx.settleMs;

/**
 * An event of ours that Flexprice lacks:
 * - `resend`: it was sent (202) and has settled, and we never resent it: queue it again;
 * - `resent`: queued again by this run, not yet sent;
 * - `pending`: still on its way (never sent, or sent too recently to be visible), nothing to do;
 * - `still_missing`: its resend was accepted and settled, or its outbox row is dead: drift.
 */
export function decideMissing(
  event: LedgerEvent,
  ctx: DecisionContext,
): 'resend' | 'resent' | 'pending' | 'still_missing' {
  if (event.outbox === 'dead') return 'still_missing';
  if (event.outbox === 'pending') return event.resend?.runId === ctx.runId ? 'resent' : 'pending';
  if (!settled(event.sentAt, ctx)) return 'pending';
  return event.resend === null ? 'resend' : 'still_missing';
}

const finding = (kind: FindingKind, ours: LedgerEvent | null, theirs: ProviderEvent | null): Finding => ({
  kind,
  eventId: ours?.eventId ?? theirs?.id ?? '',
  customer: ours?.customer ?? theirs?.customer ?? '',
  feature: ours?.feature ?? theirs?.feature ?? '',
  quantity: ours?.quantity ?? null,
  providerQuantity: theirs?.quantity ?? null,
  timestamp: (ours?.timestamp ?? theirs?.timestamp)?.toISOString() ?? null,
});

/** Totals agreed (the cheap check): every event of ours counts as matched. */
export function agreed(ours: readonly LedgerEvent[]): Outcome {
  return { tally: { ...emptyTally(), matched: ours.length }, resend: [], findings: [] };
}

/**
 * Compare one customer's events of one feature and day, event by event. Flexprice's events
 * outside [start, end) are ignored (its range filter may include the end instant). An id that
 * Flexprice holds more than once (another timestamp: it counts each) is matched once and the
 * other copies are unknown to us.
 */
export function compareEvents(
  ours: readonly LedgerEvent[],
  theirs: readonly ProviderEvent[],
  range: { start: Date; end: Date },
  ctx: DecisionContext,
): Outcome {
  const inRange = theirs.filter(
    (e) => e.timestamp === null || (e.timestamp >= range.start && e.timestamp < range.end),
  );
  const byId = new Map<string, ProviderEvent[]>();
  for (const e of inRange) byId.set(e.id, [...(byId.get(e.id) ?? []), e]);

  const tally = emptyTally();
  const resend: LedgerEvent[] = [];
  const findings: Finding[] = [];
  for (const event of ours) {
    const copies = byId.get(event.eventId) ?? [];
    const sameTime = copies.findIndex((c) => c.timestamp?.getTime() === event.timestamp.getTime());
    const [match] = copies.splice(Math.max(sameTime, 0), 1);
    if (match) {
      if (match.quantity === event.quantity) tally.matched += 1;
      else {
        tally.mismatches += 1;
        findings.push(finding('quantity_mismatch', event, match));
      }
      continue;
    }
    const decision = decideMissing(event, ctx);
    if (decision === 'resend') {
      resend.push(event);
      tally.resent += 1;
      findings.push(finding('resent', event, null));
    } else if (decision === 'resent') {
      tally.resent += 1;
      findings.push(finding('resent', event, null));
    } else if (decision === 'pending') tally.pending += 1;
    else {
      tally.stillMissing += 1;
      findings.push(finding('still_missing', event, null));
    }
  }
  for (const rest of byId.values()) {
    for (const e of rest) {
      tally.unknown += 1;
      findings.push(finding('unknown', null, e));
    }
  }
  return { tally, resend, findings };
}

/**
 * A finished run's status: `drift` when anything differs that waiting cannot fix (unknown
 * events, other quantities, events missing after their resend); `resent` while events are
 * queued again or still on their way (the next run checks them); otherwise `matched`.
 */
export function runStatus(t: Tally): RunStatus {
  if (t.unknown > 0 || t.mismatches > 0 || t.stillMissing > 0) return 'drift';
  if (t.resent > 0 || t.pending > 0) return 'resent';
  return 'matched';
}

/** Keep findings bounded: drift first (what needs an operator), then resends. */
export function keepFindings(existing: readonly Finding[], added: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => (f.kind === 'resent' ? 1 : 0);
  return [...existing, ...added].sort((a, b) => rank(a) - rank(b)).slice(0, MAX_FINDINGS);
}

/** The one-line summary `npm run reconcile` prints and the function logs. */
export function summaryLine(day: string, status: RunStatus | null, customers: number, t: Tally): string {
  return (
    `${day}: ${status ?? 'unfinished'}; ${customers} customers, ${t.matched} events matched, ` +
    `${t.resent} resent, ${t.pending} pending, ${t.stillMissing} still missing, ` +
    `${t.unknown} unknown to us, ${t.mismatches} quantity mismatches`
  );
}
