/**
 * Re-apply the disaster-recovery journal (functions/platform/journal.ts) after a restore: each
 * entry under the conditions its request checked, so applying it again, or applying an entry
 * whose request failed after journaling, changes nothing it should not.
 * - key_revoked: the key is revoked again if it exists, is the user's and is active.
 * - analysis_deleted: holdings and answer dropped and `deleted_at` set again, if the analysis
 *   exists, is the user's and is live (one adopted back holds neither anyway).
 * - invoice_paid: the invoice marked paid again if it exists and is unpaid; a payment of an
 *   invoice the restore lost is reported, for an operator to apply once the month is re-closed.
 * - invoice_numbers_issued: the month's counter raised to at least the journaled number.
 *
 * An entry whose key or analysis is not in the restored database, or belongs to another user than
 * the entry names, is ignored and said so (`ignored`), never applied: a key or analysis created
 * after the restore point is gone with nothing left to undo; an id of another user can only come
 * from an entry written before the routes checked ownership first (fixed; key-revoke.ts), and must
 * not revoke or erase someone else's data. Neither needs an operator.
 *
 * Idempotent: each statement changes a row only while it is not yet in the journaled state
 * (`revoked_at IS NULL`, `deleted_at IS NULL`, `status <> 'paid'`, a lower counter), so a second
 * run, or the same change journaled twice by two requests racing, finds nothing to change.
 */

import { eraseContent } from '../../../functions/analysis/history-store';
import type { Sql } from '../../../functions/platform/db';
import type { JournalEntry } from '../../../functions/platform/journal';

export interface ReplayResult {
  /** Entries that changed the database. */
  applied: number;
  /** Entries already in effect. */
  unchanged: number;
  /** Entries whose key or analysis is not the named user's in this database: not applied, one line each. */
  ignored: string[];
  /** What an operator must still do, one line each. */
  unresolved: string[];
}

type Outcome = 'applied' | 'unchanged' | { ignored: string } | { unresolved: string };

/** What an entry for a row of `owner` (null: no such row) that `applied` nothing comes to. */
function notApplied(what: string, owner: string | null, userSub: string): Outcome {
  if (owner === null) return { ignored: `${what} of ${userSub}: not in the database, nothing to undo` };
  if (owner !== userSub)
    return { ignored: `${what}: belongs to another user than the entry's ${userSub}, left alone` };
  return 'unchanged';
}

interface Applied {
  applied: boolean;
  owner: string | null;
}

async function applyOne(sql: Sql, e: JournalEntry): Promise<Outcome> {
  switch (e.kind) {
    case 'key_revoked': {
      // The owner is read in the same statement (same snapshot) to tell "no such key" from "done".
      const [row] = await sql<[Applied]>`
        WITH revoked AS (
          UPDATE api_keys SET revoked_at = ${e.at}
          WHERE id = ${e.keyId} AND user_sub = ${e.userSub} AND revoked_at IS NULL
          RETURNING id)
        SELECT (SELECT count(*) FROM revoked) > 0 AS applied,
               (SELECT user_sub FROM api_keys WHERE id = ${e.keyId}) AS owner`;
      return row.applied ? 'applied' : notApplied(`key ${e.keyId}`, row.owner, e.userSub);
    }
    case 'analysis_deleted': {
      // The same erasure as the route and the retention job (analysis/history-store.ts).
      const [row] = await sql.unsafe<[Applied]>(
        `WITH erased AS (
           UPDATE analyses SET ${eraseContent('$3::timestamptz')}
           WHERE id = $1::uuid AND user_sub = $2 AND deleted_at IS NULL RETURNING id)
         SELECT (SELECT count(*) FROM erased) > 0 AS applied,
                (SELECT user_sub FROM analyses WHERE id = $1::uuid) AS owner`,
        [e.analysisId, e.userSub, e.at],
      );
      return row.applied ? 'applied' : notApplied(`analysis ${e.analysisId}`, row.owner, e.userSub);
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
      return {
        unresolved: `payment ${e.reference} of invoice ${e.invoiceId} (${e.paidAt}): the invoice is not in the database; re-close its month, then record the payment again`,
      };
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
  const result: ReplayResult = { applied: 0, unchanged: 0, ignored: [], unresolved: [] };
  for (const e of entries) {
    const outcome = await applyOne(sql, e);
    if (outcome === 'applied') result.applied += 1;
    else if (outcome === 'unchanged') result.unchanged += 1;
    else if ('ignored' in outcome) result.ignored.push(outcome.ignored);
    else result.unresolved.push(outcome.unresolved);
  }
  return result;
}
