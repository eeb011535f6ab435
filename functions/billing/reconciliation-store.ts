/**
 * Reconciliation runs in SQL (migrations/0006): one row per run of a day, its counters, findings
 * and resume state (cursor, lease). The ledger side is reconciliation-ledger.ts.
 */
import type { Finding, RunStatus, Tally } from '../core/reconciliation';
import type { Sql } from '../platform/db';

export type RunState = 'running' | 'paused' | 'failed' | 'finished';

export interface RunRow {
  id: string;
  day: string;
  state: RunState;
  status: RunStatus | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  invocations: number;
  cursor: string | null;
  customersChecked: number;
  tally: Tally;
  /** Events adopted from Flexprice after a restore (migrations/0011), 0 unless asked for. */
  adopted: number;
  findings: Finding[];
  lastError: string | null;
}

interface DbRun {
  id: string;
  day: string;
  state: RunState;
  status: RunStatus | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  invocations: number;
  cursor: string | null;
  customers_checked: number;
  events_matched: number;
  events_resent: number;
  events_pending: number;
  events_still_missing: number;
  events_unknown: number;
  quantity_mismatches: number;
  events_adopted: number;
  findings: Finding[];
  last_error: string | null;
  lease_until: Date;
}

const RUN_COLUMNS = `id, day::text AS day, state, status, started_at, updated_at, finished_at, invocations, cursor,
  customers_checked, events_matched, events_resent, events_pending, events_still_missing, events_unknown,
  quantity_mismatches, events_adopted, findings, last_error, lease_until`;

const toRun = (r: DbRun): RunRow => ({
  id: r.id,
  day: r.day,
  state: r.state,
  status: r.status,
  startedAt: r.started_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
  invocations: r.invocations,
  cursor: r.cursor,
  customersChecked: r.customers_checked,
  tally: {
    matched: r.events_matched,
    resent: r.events_resent,
    pending: r.events_pending,
    stillMissing: r.events_still_missing,
    unknown: r.events_unknown,
    mismatches: r.quantity_mismatches,
  },
  adopted: r.events_adopted,
  findings: r.findings,
  lastError: r.last_error,
});

/**
 * Start a run of `day`, or take over its unfinished one (paused, failed, or running with an
 * expired lease). Null when another invocation holds the day's run.
 */
export async function openRun(sql: Sql, day: string, now: Date, leaseMs: number): Promise<RunRow | null> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  try {
    return await sql.begin(async (tx) => {
      const [open]: [DbRun?] = await tx.unsafe(
        `SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE day = $1 AND state <> 'finished' FOR UPDATE`,
        [day],
      );
      if (open && open.state === 'running' && open.lease_until > now) return null;
      const [row]: [DbRun?] = open
        ? await tx.unsafe(
            `UPDATE reconciliation_runs
             SET state = 'running', lease_until = $2, invocations = invocations + 1, updated_at = $3
             WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
            [open.id, leaseUntil, now],
          )
        : await tx.unsafe(
            `INSERT INTO reconciliation_runs (id, day, state, started_at, updated_at, lease_until)
             VALUES (gen_random_uuid(), $1, 'running', $2, $2, $3) RETURNING ${RUN_COLUMNS}`,
            [day, now, leaseUntil],
          );
      return row ? toRun(row) : null;
    });
  } catch (error) {
    // Another invocation opened the day's run at the same instant (reconciliation_runs_open).
    if ((error as { code?: string }).code === '23505') return null;
    throw error;
  }
}

/** Save one step: counters added, the cursor moved, findings replaced, the lease kept. */
export async function saveProgress(
  sql: Sql,
  runId: string,
  step: { cursor: string; customers: number; tally: Tally; findings: Finding[] },
  now: Date,
): Promise<void> {
  const t = step.tally;
  await sql`
    UPDATE reconciliation_runs SET
      cursor = ${step.cursor},
      customers_checked = customers_checked + ${step.customers},
      events_matched = events_matched + ${t.matched},
      events_resent = events_resent + ${t.resent},
      events_pending = events_pending + ${t.pending},
      events_still_missing = events_still_missing + ${t.stillMissing},
      events_unknown = events_unknown + ${t.unknown},
      quantity_mismatches = quantity_mismatches + ${t.mismatches},
      findings = ${sql.json(step.findings as unknown as Parameters<typeof sql.json>[0])},
      updated_at = ${now}
    WHERE id = ${runId}`;
}

/** End an invocation's hold on the run: finished with a status, paused, or failed. */
export async function closeRun(
  sql: Sql,
  runId: string,
  end: { state: 'finished'; status: RunStatus } | { state: 'paused' } | { state: 'failed'; error: string },
  now: Date,
): Promise<RunRow> {
  const status = end.state === 'finished' ? end.status : null;
  const error = end.state === 'failed' ? end.error.slice(0, 500) : null;
  const [row]: [DbRun?] = await sql.unsafe(
    `UPDATE reconciliation_runs
     SET state = $2, status = $3, finished_at = CASE WHEN $2 = 'finished' THEN $4::timestamptz END,
         last_error = COALESCE($5, last_error), updated_at = $4, lease_until = $4
     WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
    [runId, end.state, status, now, error],
  );
  if (!row) throw new Error(`reconciliation run ${runId} vanished`);
  return toRun(row);
}

/** The latest run of a day (GET /api/admin/reconciliation), or null if it was never run. */
export async function latestRun(sql: Sql, day: string): Promise<RunRow | null> {
  const [row]: [DbRun?] = await sql.unsafe(
    `SELECT ${RUN_COLUMNS} FROM reconciliation_runs WHERE day = $1 ORDER BY started_at DESC LIMIT 1`,
    [day],
  );
  return row ? toRun(row) : null;
}

/**
 * Days a follow-up invocation should work on, oldest first: unfinished runs nobody holds, and
 * days since `sinceDay` whose latest run ended `resent` at least `recheckBefore` ago.
 */
export async function followUpDays(
  sql: Sql,
  now: Date,
  sinceDay: string,
  recheckBefore: Date,
): Promise<string[]> {
  const rows = await sql<{ day: string }[]>`
    SELECT day::text AS day FROM reconciliation_runs
    WHERE state <> 'finished' AND lease_until <= ${now}
    UNION
    SELECT latest.day::text FROM (
      SELECT DISTINCT ON (day) day, status, finished_at FROM reconciliation_runs
      WHERE day >= ${sinceDay}::date ORDER BY day, started_at DESC
    ) latest
    WHERE latest.status = 'resent' AND latest.finished_at <= ${recheckBefore}
    ORDER BY day`;
  return rows.map((r) => r.day);
}

/** Add events adopted from Flexprice to a run's count; the run as it now stands. */
export async function addAdopted(sql: Sql, runId: string, adopted: number): Promise<RunRow> {
  const [row]: [DbRun?] = await sql.unsafe(
    `UPDATE reconciliation_runs SET events_adopted = events_adopted + $2 WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
    [runId, adopted],
  );
  if (!row) throw new Error(`reconciliation run ${runId} vanished`);
  return toRun(row);
}
