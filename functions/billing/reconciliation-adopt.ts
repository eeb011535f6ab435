/**
 * After a restore to time T (docs/operations.md), analyses answered after T are gone from our
 * ledger while Flexprice may hold their events. `adoptDay` lists every event Flexprice holds for
 * an IST day (all customers: a customer whose whole day was lost has no ledger rows to start
 * from), and turns those with our event-id shape that our ledger lacks into placeholder analyses
 * (functions/core/reconciliation.ts planAdoption, reconciliation-adopt-store.ts). Other unknown
 * events are only reported. `reconcileAndAdopt` then runs the day's usual reconciliation, which
 * now matches the adopted events, and counts them on the run as `adopted`.
 */
import { FEATURES } from '../core/pricing';
import {
  dayRange,
  type Finding,
  type ProviderEvent,
  parseEventId,
  planAdoption,
} from '../core/reconciliation';
import type { Sql } from '../platform/db';
import { InvalidDayError, type ReconcileDeps, reconcileDay } from './reconciliation';
import { adoptAnalysis, knownToLedger } from './reconciliation-adopt-store';
import type { DayRange, ProviderReader } from './reconciliation-provider';
import { addAdopted, type RunRow } from './reconciliation-store';

export interface AdoptResult {
  /** Ledger rows written from the provider's events. */
  adopted: number;
  /** Placeholder analyses written or completed. */
  analyses: number;
  /** Unknown to us and not adoptable (another id shape, or incomplete): reported only. */
  unknown: Finding[];
}

/** Adopt one day's provider events our ledger lacks. Idempotent. */
async function adoptDay(sql: Sql, reader: ProviderReader, range: DayRange, now: Date): Promise<AdoptResult> {
  const theirs: ProviderEvent[] = [];
  for (const feature of FEATURES) {
    const events = await reader.listEvents(null, feature, range);
    // The range filter may include the end instant: that event belongs to the next day.
    theirs.push(
      ...events.filter((e) => !e.timestamp || (e.timestamp >= range.start && e.timestamp < range.end)),
    );
  }
  const analysisIds = [
    ...new Set(theirs.map((e) => parseEventId(e.id, FEATURES)?.analysisId).filter((x): x is string => !!x)),
  ];
  const { known, live } = await knownToLedger(
    sql,
    theirs.map((e) => e.id),
    analysisIds,
  );
  const plan = planAdoption(theirs, known, live, FEATURES);
  let adopted = 0;
  let analyses = 0;
  for (const a of plan.adopt) {
    const rows = await adoptAnalysis(sql, a, now);
    adopted += rows;
    if (rows > 0) analyses += 1;
  }
  return { adopted, analyses, unknown: plan.report };
}

/**
 * Adopt, then reconcile `day` as usual; the run (null when another invocation holds the day)
 * carries the adopted count. Adoption failures throw (nothing half-written: one transaction
 * per analysis, and a second attempt skips what the first wrote). `day` is an IST calendar
 * day `YYYY-MM-DD` (InvalidDayError otherwise, before anything is read).
 */
export async function reconcileAndAdopt(
  day: string,
  deps: ReconcileDeps,
): Promise<{ run: RunRow | null; adoption: AdoptResult }> {
  const range = dayRange(day);
  if (!range) throw new InvalidDayError(`Not a calendar date (YYYY-MM-DD): ${day}`);
  const now = deps.now ?? (() => new Date());
  const adoption = await adoptDay(deps.sql, deps.reader, range, now());
  if (adoption.adopted > 0) {
    deps.logger.info('reconciliation: adopted events from Flexprice', { day, adopted: adoption.adopted });
  }
  const run = await reconcileDay(day, deps);
  return {
    run: run && adoption.adopted > 0 ? await addAdopted(deps.sql, run.id, adoption.adopted) : run,
    adoption,
  };
}
