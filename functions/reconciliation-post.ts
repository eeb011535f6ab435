/**
 * POST /api/admin/reconciliation — reconcile one IST day now (admins only; SPEC §10, §13).
 * Body `{"date": "YYYY-MM-DD", "adopt_unknown"?: boolean}`. With `adopt_unknown`, after a
 * restore, events of our id shape that Flexprice holds and our ledger lacks are first recorded
 * as placeholder analyses restored from billing records (docs/operations.md). Answers the run
 * as GET /api/admin/reconciliation does, `events_adopted` included: 200 when it finished or
 * paused, 409 when another invocation holds the day or Flexprice is not configured (or its key
 * not set), 503 when Flexprice or the database failed. 403 for non-admins before anything else.
 */
import { z } from 'zod';
import { authenticatedRoute } from './accounts/routes';
import { reconcileDay } from './billing/reconciliation';
import { reconcileAndAdopt } from './billing/reconciliation-adopt';
import { reconciliationDeps } from './billing/reconciliation-deps';
import { dayRange } from './core/reconciliation';
import { isAdmin } from './platform/auth';
import { badRequest, conflict, forbidden, serviceUnavailable } from './platform/errors';
import { EARLY_ANSWER_MS, json, jsonBody } from './platform/http';
import { reconciliationJson } from './reconciliation-get';

const Body = z.object({ date: z.string(), adopt_unknown: z.boolean().optional() }).strict();
const SHAPE = '{"date": "YYYY-MM-DD", "adopt_unknown"?: true}';
/**
 * Stop starting reconciliation steps this long before the function's timeout (29 s, under API
 * Gateway's 30 s): the run is then `paused` and answered, and a later POST or the follow-up
 * resumes it, instead of the invocation being killed mid-step with the day held until its lease ends.
 */
const STEP_RESERVE_MS = 8_000;

export const handler = authenticatedRoute(
  'reconciliation-post',
  async ({ event, context, user }, { logger }) => {
    if (!isAdmin(user)) throw forbidden('Running a reconciliation is only for administrators');
    const parsed = Body.safeParse(jsonBody(event, SHAPE));
    if (!parsed.success) {
      const errors = parsed.error.issues.map((i) => ({
        field: i.path.join('.') || 'body',
        message: i.message,
      }));
      throw badRequest(`The request body must be ${SHAPE}`, errors);
    }
    const { date, adopt_unknown: adopt = false } = parsed.data;
    if (!dayRange(date)) {
      throw badRequest('date must be an IST calendar day YYYY-MM-DD', [
        { field: 'date', message: 'is not a calendar date YYYY-MM-DD' },
      ]);
    }
    // Configuration, not an outage: a retry cannot succeed until an operator acts, so 409 (no
    // Retry-After), not 503. Lean stages without Flexprice egress get no Flexprice settings at all.
    const setup = await reconciliationDeps();
    if (!setup.ready && setup.reason === 'not_configured')
      throw conflict(
        'Flexprice is not configured for this deployment, so there is nothing to reconcile against',
      );
    if (!setup.ready)
      throw conflict('The Flexprice API key is not set yet; put it in its secret (docs/deploy.md)');
    // Before the wrapper's own early 503 (EARLY_ANSWER_MS), with a step's worth to spare.
    const deadline = Date.now() + context.getRemainingTimeInMillis() - EARLY_ANSWER_MS - STEP_RESERVE_MS;
    const deps = { ...setup.deps, logger, outOfTime: () => Date.now() > deadline };
    let run: Awaited<ReturnType<typeof reconcileDay>>;
    try {
      run = adopt ? (await reconcileAndAdopt(date, deps)).run : await reconcileDay(date, deps);
    } catch (error) {
      throw serviceUnavailable('Flexprice or the database failed during adoption; run it again', 30, error);
    }
    if (!run) throw conflict(`A reconciliation of ${date} is already running; try again when it ends`);
    if (run.state === 'failed')
      throw serviceUnavailable(`The reconciliation of ${date} failed; it resumes on the next run`, 60);
    logger.info('reconciliation run on request', { day: date, by: user.sub, adopted: run.adopted });
    return json(200, reconciliationJson(run));
  },
);
