/**
 * The billing outbox in SQL (migrations/0003, 0012): claim due rows, mark them sent or failed,
 * and summarise the backlog for /health and the metrics. An outbox row holds its event id, its
 * ledger row's key and its sending state; what is sent (customer, quantity, unit price,
 * timestamp) is read from that ledger row, which never changes.
 *
 * Claiming is one statement (its own short transaction): `FOR UPDATE SKIP LOCKED` picks due
 * pending rows nobody else is claiming, and the same statement pushes their `next_attempt_at`
 * a lease into the future and counts the attempt. A concurrent sync therefore neither waits for
 * nor sees them; the provider is called after the claim has committed, outside any transaction.
 * If the process dies before marking, the lease runs out and the rows are sent again with the
 * same event id and timestamp, which the provider deduplicates.
 */
import type { OutboxRow } from '../core/billing-sync';
import { FEATURES } from '../core/pricing';
import { parseEventId } from '../core/reconciliation';
import type { Sql } from '../platform/db';

export interface OutboxSummary {
  pending: number;
  dead: number;
  /** Age of the oldest pending row at `now`, or null when nothing is pending. */
  oldestPendingAgeSeconds: number | null;
}

export interface FailedRow {
  eventId: string;
  status: 'pending' | 'dead';
  nextAttemptAt: Date;
  error: string;
}

interface ClaimedRow {
  event_id: string;
  feature: string;
  user_sub: string;
  quantity: number;
  unit_price_paise: string;
  occurred_at: Date;
  attempts: number;
  customer_known: boolean;
  idempotency_key_sha256: string | null;
}

/**
 * The provider's event id of an outbox row `t`: '<analysis_id>:<feature>' (migrations/0003), its
 * key's two columns joined (stored as text until migrations/0013).
 */
const EVENT_ID = (t: string) => `(${t}.analysis_id::text || ':' || ${t}.feature)`;

/**
 * The outbox keys of event ids, for `unnest($n::uuid[], $m::text[])`. Only the exact shape
 * EVENT_ID produces (core/reconciliation.ts parseEventId) names a row: anything else (another
 * case, braces, a suffix) names none and is left out, never cast in SQL, where it would fail the
 * whole batch or match a row it only resembles.
 */
export function eventKeys<T extends { eventId: string }>(rows: readonly T[]) {
  const out = { rows: [] as T[], analysisIds: [] as string[], features: [] as string[] };
  for (const row of rows) {
    const key = parseEventId(row.eventId, FEATURES);
    if (!key) continue;
    out.rows.push(row);
    out.analysisIds.push(key.analysisId);
    out.features.push(key.feature);
  }
  return out;
}

export const OUTBOX_SQL = {
  claim: `
WITH due AS (
  SELECT analysis_id, feature FROM billing_outbox
  WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz
  ORDER BY next_attempt_at
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE billing_outbox o
SET attempts = o.attempts + 1,
    next_attempt_at = $1::timestamptz + make_interval(secs => $3::double precision / 1000)
FROM due, usage_events e
WHERE o.analysis_id = due.analysis_id AND o.feature = due.feature
  AND e.analysis_id = o.analysis_id AND e.feature = o.feature
RETURNING ${EVENT_ID('o')} AS event_id, o.feature, e.user_sub, e.quantity, e.unit_price_paise::text AS unit_price_paise,
          e.occurred_at, o.attempts,
          EXISTS (SELECT 1 FROM billing_customers c WHERE c.user_sub = e.user_sub) AS customer_known,
          (SELECT a.idempotency_key_sha256 FROM analyses a WHERE a.id = o.analysis_id) AS idempotency_key_sha256`,
  // Only rows still pending: a slower run whose lease expired cannot undo another's result.
  markSent: `
UPDATE billing_outbox o SET status = 'sent', sent_at = $3::timestamptz, last_error = NULL
FROM unnest($1::uuid[], $2::text[]) AS u(analysis_id, feature)
WHERE o.analysis_id = u.analysis_id AND o.feature = u.feature AND o.status = 'pending'`,
  markFailed: `
UPDATE billing_outbox o
SET status = u.status, next_attempt_at = u.next_attempt_at::timestamptz, last_error = u.error
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])
  AS u(analysis_id, feature, status, next_attempt_at, error)
WHERE o.analysis_id = u.analysis_id AND o.feature = u.feature AND o.status = 'pending'`,
  rememberCustomers: `
INSERT INTO billing_customers (user_sub, synced_at)
SELECT unnest($1::text[]), $2::timestamptz
ON CONFLICT (user_sub) DO NOTHING`,
  // Each count is served by its partial index (billing_outbox_due, billing_outbox_dead_due); the
  // age of the oldest pending row is its charge's time, from the ledger row of each pending one.
  summary: `
SELECT (SELECT count(*) FROM billing_outbox WHERE status = 'pending')::int AS pending,
       (SELECT count(*) FROM billing_outbox WHERE status = 'dead')::int AS dead,
       (SELECT floor(extract(epoch FROM $1::timestamptz - min(e.occurred_at)))::bigint
          FROM billing_outbox o JOIN usage_events e ON e.analysis_id = o.analysis_id AND e.feature = o.feature
          WHERE o.status = 'pending')::text AS oldest_pending_age_seconds`,
} as const;

/** Claim up to `limit` due rows for `leaseMs`; each claim counts as an attempt. */
export async function claimDue(sql: Sql, now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const rows = await sql.unsafe<ClaimedRow[]>(OUTBOX_SQL.claim, [now.toISOString(), limit, leaseMs]);
  return rows.map((r) => ({
    eventId: r.event_id,
    feature: r.feature,
    userSub: r.user_sub,
    quantity: Number(r.quantity),
    unitPricePaise: r.unit_price_paise,
    occurredAt: r.occurred_at,
    attempts: Number(r.attempts),
    customerKnown: r.customer_known,
    idempotencyKeySha256: r.idempotency_key_sha256,
  }));
}

export async function markSent(sql: Sql, eventIds: string[], at: Date): Promise<void> {
  const keys = eventKeys(eventIds.map((eventId) => ({ eventId })));
  if (keys.rows.length > 0)
    await sql.unsafe(OUTBOX_SQL.markSent, [keys.analysisIds, keys.features, at.toISOString()]);
}

export async function markFailed(sql: Sql, rows: FailedRow[]): Promise<void> {
  const keys = eventKeys(rows);
  if (keys.rows.length === 0) return;
  await sql.unsafe(OUTBOX_SQL.markFailed, [
    keys.analysisIds,
    keys.features,
    keys.rows.map((r) => r.status),
    keys.rows.map((r) => r.nextAttemptAt.toISOString()),
    keys.rows.map((r) => r.error),
  ]);
}

/** Users now known to the provider: their customer is never created again. */
export async function rememberCustomers(sql: Sql, subs: string[], at: Date): Promise<void> {
  if (subs.length > 0) await sql.unsafe(OUTBOX_SQL.rememberCustomers, [subs, at.toISOString()]);
}

export async function outboxSummary(sql: Sql, now: Date): Promise<OutboxSummary> {
  const [row] = await sql.unsafe<
    [{ pending: number; dead: number; oldest_pending_age_seconds: string | null }]
  >(OUTBOX_SQL.summary, [now.toISOString()]);
  const age = row?.oldest_pending_age_seconds;
  return {
    pending: Number(row?.pending ?? 0),
    dead: Number(row?.dead ?? 0),
    oldestPendingAgeSeconds: age === null || age === undefined ? null : Math.max(0, Number(age)),
  };
}
