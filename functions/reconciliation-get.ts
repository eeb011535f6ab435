/**
 * GET /api/admin/reconciliation?date=YYYY-MM-DD — the latest reconciliation run of an IST day
 * against Flexprice (admins only; docs/billing.md "Reconciliation"). 403 for anyone else (before
 * any lookup), 400 for a missing or invalid date, 404 for a day never reconciled.
 */

import { authenticatedRoute } from './accounts/routes';
import type { RunRow } from './billing/reconciliation-store';
import { latestRun } from './billing/reconciliation-store';
import { dayRange } from './core/reconciliation';
import { isAdmin } from './platform/auth';
import { db } from './platform/db';
import { badRequest, forbidden, notFound } from './platform/errors';
import { json } from './platform/http';

/** A run as the API shows it (docs/openapi.json `ReconciliationRun`). */
export function reconciliationJson(run: RunRow) {
  return {
    date: run.day,
    run_id: run.id,
    state: run.state,
    status: run.status,
    started_at: run.startedAt.toISOString(),
    updated_at: run.updatedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    invocations: run.invocations,
    customers_checked: run.customersChecked,
    events_matched: run.tally.matched,
    events_resent: run.tally.resent,
    events_pending: run.tally.pending,
    events_still_missing: run.tally.stillMissing,
    events_unknown: run.tally.unknown,
    quantity_mismatches: run.tally.mismatches,
    events_adopted: run.adopted,
    findings: run.findings.map((f) => ({
      kind: f.kind,
      event_id: f.eventId,
      customer: f.customer,
      feature: f.feature,
      quantity: f.quantity,
      provider_quantity: f.providerQuantity,
      timestamp: f.timestamp,
    })),
    error: run.lastError,
  };
}

export const handler = authenticatedRoute('reconciliation-get', async ({ event, user }) => {
  if (!isAdmin(user)) throw forbidden('Reconciliation reports are only for administrators');
  const date = event.queryStringParameters?.date;
  if (!date || !dayRange(date)) {
    throw badRequest('Give the IST calendar day as ?date=YYYY-MM-DD', [
      { field: 'date', message: date ? 'is not a calendar date YYYY-MM-DD' : 'is required' },
    ]);
  }
  const run = await latestRun(await db(), date);
  if (!run) throw notFound(`No reconciliation has run for ${date}`);
  return json(200, reconciliationJson(run));
});
