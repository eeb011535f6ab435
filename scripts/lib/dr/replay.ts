/**
 * Re-apply the disaster-recovery journal (functions/platform/journal.ts) after a restore: each
 * entry under the conditions its request checked, so applying it again, or applying an entry
 * whose request failed after journaling, changes nothing it should not.
 * - key_revoked: the key is revoked again if it exists, is the user's and is active (a key made
 *   after the restore point is gone altogether: it cannot authenticate).
 * - analysis_deleted: holdings and answer dropped and `deleted_at` set again, if the analysis
 *   exists (an analysis lost in the restore is gone; one adopted back holds neither anyway).
 * - invoice_paid: the invoice marked paid again if it exists and is unpaid; a payment of an
 *   invoice the restore lost is reported, for an operator to apply once the month is re-closed.
 * - invoice_numbers_issued: the month's counter raised to at least the journaled number.
 */

import { eraseContent } from '../../../functions/analysis/history-store';
import type { Sql } from '../../../functions/platform/db';
import type { JournalEntry } from '../../../functions/platform/journal';

export interface ReplayResult {
  /** Entries that changed the database. */
  applied: number;
  /** Entries already in effect (or with nothing left to change). */
  unchanged: number;
  /** What an operator must still do, one line each. */
  unresolved: string[];
}

async function applyOne(sql: Sql, e: JournalEntry): Promise<'applied' | 'unchanged' | string> {
  switch (e.kind) {
    case 'key_revoked': {
      const rows = await sql`
        UPDATE api_keys SET revoked_at = ${e.at} WHERE id = ${e.keyId} AND user_sub = ${e.userSub} AND revoked_at IS NULL
        RETURNING id`;
      return rows.length ? 'applied' : 'unchanged';
    }
    case 'analysis_deleted': {
      // The same erasure as the route and the retention job (analysis/history-store.ts).
      const rows = await sql.unsafe(
        `UPDATE analyses SET ${eraseContent('$3::timestamptz')}
         WHERE id = $1::uuid AND user_sub = $2 AND deleted_at IS NULL RETURNING id`,
        [e.analysisId, e.userSub, e.at],
      );
      return rows.length ? 'applied' : 'unchanged';
    }
    case 'invoice_paid': {
      const rows = await sql<{ status: string; applied: boolean }[]>`
        WITH paid AS (
          UPDATE invoices SET status = 'paid', paid_at = ${e.paidAt}, payment_reference = ${e.reference}
          WHERE id = ${e.invoiceId} AND status <> 'paid' AND issued_at <= ${e.paidAt}
          RETURNING id)
        SELECT (SELECT count(*) FROM paid) > 0 AS applied,
               (SELECT status FROM invoices WHERE id = ${e.invoiceId}) AS status`;
      if (rows[0]?.applied) return 'applied';
      if (rows[0]?.status) return 'unchanged';
      return `payment ${e.reference} of invoice ${e.invoiceId} (${e.paidAt}): the invoice is not in the database; re-close its month, then record the payment again`;
    }
    case 'invoice_numbers_issued': {
      const rows = await sql`
        INSERT INTO invoice_counters AS c (period, last_number) VALUES (${e.period}, ${e.lastNumber})
        ON CONFLICT (period) DO UPDATE SET last_number = EXCLUDED.last_number
          WHERE c.last_number < EXCLUDED.last_number
        RETURNING period`;
      return rows.length ? 'applied' : 'unchanged';
    }
  }
}

/** Apply `entries` in order. */
export async function replayJournal(sql: Sql, entries: readonly JournalEntry[]): Promise<ReplayResult> {
  const result: ReplayResult = { applied: 0, unchanged: 0, unresolved: [] };
  for (const e of entries) {
    const outcome = await applyOne(sql, e);
    if (outcome === 'applied') result.applied += 1;
    else if (outcome === 'unchanged') result.unchanged += 1;
    else result.unresolved.push(outcome);
  }
  return result;
}
