/**
 * The ledger side of the reconciliation in SQL: the customers and billed events of a day, and
 * resends through the outbox (migrations/0003, 0006).
 *
 * Our side of the comparison is the ledger (`usage_events`) joined with its outbox rows: exactly
 * the charges that are sent to Flexprice (legacy-import rows have no outbox row and are never
 * billed there). A resend sets a `sent` outbox row back to `pending`, so the normal sync sends it
 * again with the same event id and timestamp; the same statement records it in
 * `reconciliation_resends`, which makes a second resend of that event impossible.
 */
import type { LedgerEvent, OutboxStatus } from '../core/reconciliation';
import type { Sql } from '../platform/db';
import { eventKeys } from './outbox-store';

/** The next customers (user_sub order) with billed usage in [start, end), after `cursor`. */
export async function customersAfter(
  sql: Sql,
  range: { start: Date; end: Date },
  cursor: string | null,
  limit: number,
): Promise<string[]> {
  // The users with usage on the range's IST days come from the day counters (usage_daily_day,
  // migrations/0012); each is kept if one of its events in the range was queued for the provider.
  const rows = await sql<{ user_sub: string }[]>`
    SELECT d.user_sub FROM usage_daily d
    WHERE d.day >= (${range.start}::timestamptz AT TIME ZONE 'Asia/Kolkata')::date
      AND d.day <= ((${range.end}::timestamptz - interval '1 microsecond') AT TIME ZONE 'Asia/Kolkata')::date
      AND (${cursor}::text IS NULL OR d.user_sub > ${cursor})
      AND EXISTS (SELECT 1 FROM usage_events ue
                  JOIN billing_outbox o ON o.analysis_id = ue.analysis_id AND o.feature = ue.feature
                  WHERE ue.user_sub = d.user_sub
                    AND ue.occurred_at >= ${range.start} AND ue.occurred_at < ${range.end})
    GROUP BY d.user_sub
    ORDER BY d.user_sub
    LIMIT ${limit}`;
  return rows.map((r) => r.user_sub);
}

/** The billed ledger events of these customers in [start, end), with outbox and resend state. */
export async function ledgerEvents(
  sql: Sql,
  customers: readonly string[],
  range: { start: Date; end: Date },
): Promise<LedgerEvent[]> {
  const rows = await sql<
    {
      event_id: string;
      user_sub: string;
      feature: string;
      quantity: number;
      occurred_at: Date;
      status: OutboxStatus;
      sent_at: Date | null;
      run_id: string | null;
      resent_at: Date | null;
    }[]
  >`
    SELECT o.analysis_id::text || ':' || o.feature AS event_id, ue.user_sub, ue.feature, ue.quantity, ue.occurred_at, o.status, o.sent_at,
           r.run_id, r.resent_at
    FROM usage_events ue
    JOIN billing_outbox o ON o.analysis_id = ue.analysis_id AND o.feature = ue.feature
    LEFT JOIN reconciliation_resends r ON r.analysis_id = o.analysis_id AND r.feature = o.feature
    WHERE ue.user_sub = ANY(${customers as string[]}::text[])
      AND ue.occurred_at >= ${range.start} AND ue.occurred_at < ${range.end}`;
  return rows.map((r) => ({
    eventId: r.event_id,
    customer: r.user_sub,
    feature: r.feature,
    quantity: Number(r.quantity),
    timestamp: r.occurred_at,
    outbox: r.status,
    sentAt: r.sent_at,
    resend: r.run_id && r.resent_at ? { runId: r.run_id, at: r.resent_at } : null,
  }));
}

/**
 * Put sent events back into the outbox (due now, fresh attempts) and record the resend, in one
 * statement. Returns the ids actually requeued: never one already resent, never a row that is
 * not `sent` (pending rows are on their way anyway).
 */
export async function resendEvents(
  sql: Sql,
  run: { id: string; day: string },
  eventIds: readonly string[],
  now: Date,
): Promise<string[]> {
  const keys = eventKeys(eventIds.map((eventId) => ({ eventId })));
  if (keys.rows.length === 0) return [];
  const rows = await sql<{ event_id: string }[]>`
    WITH requeued AS (
      UPDATE billing_outbox o
      SET status = 'pending', sent_at = NULL, attempts = 0, next_attempt_at = ${now}, last_error = NULL
      FROM unnest(${keys.analysisIds}::uuid[], ${keys.features}::text[]) AS u(analysis_id, feature)
      WHERE o.analysis_id = u.analysis_id AND o.feature = u.feature AND o.status = 'sent'
        AND NOT EXISTS (SELECT 1 FROM reconciliation_resends r
                        WHERE r.analysis_id = o.analysis_id AND r.feature = o.feature)
      RETURNING o.analysis_id, o.feature
    )
    INSERT INTO reconciliation_resends (analysis_id, feature, day, run_id, resent_at)
    SELECT analysis_id, feature, ${run.day}::date, ${run.id}::uuid, ${now} FROM requeued
    RETURNING analysis_id::text || ':' || feature AS event_id`;
  return rows.map((r) => r.event_id);
}
