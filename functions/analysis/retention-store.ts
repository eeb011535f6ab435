/**
 * Pruning analyses past retention (docs/retention.md): the same erasure as
 * DELETE /api/analyses/{id} (history-store `eraseContent`), in short batches.
 *
 * A batch is one statement over the next `users` users (keyset on `users.sub`), at most
 * `perUser` of each one's oldest live analyses before the cutoff: a user's oldest live analyses
 * are the start of the partial history index (migrations/0009, 0012), so finding them costs one
 * short index probe per user, however long the history, and adds no index to the analyze
 * write. A batch updates at most users × perUser rows and commits at once, so row locks are held
 * for one short statement; a user who had more to prune is visited again before moving on.
 * Rerunning is harmless: erased rows are no longer live, so nothing is erased twice. The ledger
 * (usage_events, billing_outbox, invoices, usage_daily) is never touched.
 */
import type { Sql } from '../platform/db';
import { eraseContent } from './history-store';

export interface PruneLimits {
  /** Users visited per statement. */
  users: number;
  /** Analyses erased per user per statement. */
  perUser: number;
}

export interface PruneResult {
  /** Analyses erased by this run. */
  pruned: number;
  /** Statements run. */
  batches: number;
  /** False when the run stopped because `outOfTime` said so (the next run continues). */
  complete: boolean;
}

const PRUNE_BATCH = `
WITH batch_users AS (
  SELECT sub FROM users WHERE sub > $1 ORDER BY sub LIMIT $2
), picked AS (
  SELECT old.id FROM batch_users u CROSS JOIN LATERAL (
    SELECT id FROM analyses
    WHERE user_sub = u.sub AND deleted_at IS NULL AND created_at < $3::timestamptz
    ORDER BY created_at, id LIMIT $4
  ) old
), pruned AS (
  -- deleted_at IS NULL again: an owner's concurrent DELETE wins and is not counted twice.
  UPDATE analyses SET ${eraseContent('now()')}
  FROM picked WHERE analyses.id = picked.id AND analyses.deleted_at IS NULL
  RETURNING analyses.user_sub
)
SELECT (SELECT max(sub) FROM batch_users) AS last_sub,
       (SELECT count(*) FROM pruned)::int AS pruned,
       EXISTS (SELECT 1 FROM pruned GROUP BY user_sub HAVING count(*) >= $4) AS more`;

/**
 * Erase every live analysis created before `cutoff`, batch by batch, until none is left or
 * `outOfTime()` says stop.
 */
export async function pruneAnalyses(
  sql: Sql,
  cutoff: Date,
  limits: PruneLimits,
  outOfTime: () => boolean = () => false,
): Promise<PruneResult> {
  // '' sorts before every sub (users.sub is at least one character).
  let after = '';
  let pruned = 0;
  let batches = 0;
  while (!outOfTime()) {
    const [row] = await sql.unsafe<[{ last_sub: string | null; pruned: number; more: boolean }]>(
      PRUNE_BATCH,
      [after, limits.users, cutoff.toISOString(), limits.perUser],
    );
    batches++;
    pruned += row?.pruned ?? 0;
    if (!row?.last_sub) return { pruned, batches, complete: true };
    // A user who filled their share may have more: visit the same users again (they only
    // get fewer, so this ends); otherwise move past them.
    if (!row.more) after = row.last_sub;
  }
  return { pruned, batches, complete: false };
}
