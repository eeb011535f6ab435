/**
 * Billing reconciliation decisions (SPEC §10), free of I/O: which IST day to check, how our
 * ledger's events compare with the events Flexprice reports for one customer and feature, what
 * is sent again, and what status a run ends with. The edges (functions/billing/reconciliation*.ts)
 * read both sides, call these, and persist the outcome.
 */
import { DAY_MS, istDate } from './ist';
import { parseDay } from './periods';

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
  /** `properties.unit_price_paise`, the price snapshot we sent: digits, else null. */
  unitPricePaise?: string | null;
  /** `properties.idempotency_key_sha256`: 64 hex digits, else null. */
  idempotencyKeySha256?: string | null;
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
  return istDate(now.getTime() - DAY_MS);
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

// ---- Adoption after a restore (SPEC §13; docs/operations.md) ----

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const OUR_EVENT_ID = new RegExp(`^(${UUID}):([a-z_]+)$`);

/** The (analysis id, feature) of an event id of our shape `<analysis uuid>:<feature>`, else null. */
export function parseEventId(
  id: string,
  features: readonly string[],
): { analysisId: string; feature: string } | null {
  const m = OUR_EVENT_ID.exec(id);
  if (!m?.[1] || !m[2] || !features.includes(m[2])) return null;
  return { analysisId: m[1], feature: m[2] };
}

/** `properties.unit_price_paise` as we send it: a non-negative integer as a string. */
export function pricePaiseOf(value: unknown): string | null {
  const text = typeof value === 'number' ? String(value) : value;
  return typeof text === 'string' && /^\d{1,15}$/.test(text) ? String(BigInt(text)) : null;
}

/** `properties.idempotency_key_sha256`: 64 lowercase hex digits, else null. */
export const keyHashOf = (value: unknown): string | null =>
  typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value : null;

/** One analysis to restore as a placeholder from the provider's events. */
export interface Adoption {
  analysisId: string;
  customer: string;
  timestamp: Date;
  idempotencyKeySha256: string | null;
  events: { eventId: string; feature: string; quantity: number; unitPricePaise: string }[];
}

export interface AdoptionPlan {
  adopt: Adoption[];
  /** Unknown to us and not adoptable: another id shape, or no usable quantity, price or time. */
  report: Finding[];
}

/**
 * Which of the provider's events of a day our ledger lacks, and which of those to adopt.
 * `known` holds the event ids our ledger has; `liveAnalyses` the ids of analyses we still hold
 * that are not restored placeholders (an event of theirs we lack is drift, not a lost analysis).
 * An event is adopted only with our id shape, a positive integer quantity, a price and a
 * timestamp; its analysis's events must agree on customer and timestamp (one analysis, one
 * time). Duplicates of an id (several timestamps) adopt the earliest copy only.
 */
export function planAdoption(
  theirs: readonly ProviderEvent[],
  known: ReadonlySet<string>,
  liveAnalyses: ReadonlySet<string>,
  features: readonly string[],
): AdoptionPlan {
  const report: Finding[] = [];
  const byAnalysis = new Map<string, Adoption>();
  const seen = new Set<string>();
  const sorted = [...theirs].sort((a, b) => (a.timestamp?.getTime() ?? 0) - (b.timestamp?.getTime() ?? 0));
  for (const e of sorted) {
    if (known.has(e.id)) continue;
    const parsed = parseEventId(e.id, features);
    const price = e.unitPricePaise ?? null;
    const usable =
      parsed !== null &&
      parsed.feature === e.feature &&
      !liveAnalyses.has(parsed.analysisId) &&
      e.quantity !== null &&
      Number.isInteger(e.quantity) &&
      e.quantity > 0 &&
      price !== null &&
      e.timestamp !== null;
    if (!usable || seen.has(e.id)) {
      report.push(finding('unknown', null, e));
      continue;
    }
    const at = e.timestamp as Date;
    const existing = byAnalysis.get(parsed.analysisId);
    if (existing && (existing.customer !== e.customer || existing.timestamp.getTime() !== at.getTime())) {
      report.push(finding('unknown', null, e));
      continue;
    }
    seen.add(e.id);
    const event = {
      eventId: e.id,
      feature: parsed.feature,
      quantity: e.quantity as number,
      unitPricePaise: price,
    };
    if (existing) {
      existing.events.push(event);
      existing.idempotencyKeySha256 ??= e.idempotencyKeySha256 ?? null;
    } else {
      byAnalysis.set(parsed.analysisId, {
        analysisId: parsed.analysisId,
        customer: e.customer,
        timestamp: at,
        idempotencyKeySha256: e.idempotencyKeySha256 ?? null,
        events: [event],
      });
    }
  }
  return { adopt: [...byAnalysis.values()], report };
}
