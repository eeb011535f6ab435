/**
 * `npm run bench` step 3 of bench/analyze.ts: EXPLAIN (ANALYZE, BUFFERS) of the history, usage
 * and billing queries at 1,000,000 analyses (1,000 users over a year, bench/fill.ts), and of one
 * query per index the analyze write maintains (migrations/0012), in a scratch database.
 */
import { HISTORY_SQL } from '../functions/analysis/history-store';
import { USAGE_SQL } from '../functions/analysis/usage-store';
import type { Sql } from '../functions/platform/db';
import { fillAnalyses } from './fill';

const ANALYSES = 1_000_000;
const USERS = 1_000;

export async function explainAtScale(scratch: Sql, log: (line: string) => void): Promise<void> {
  const started = Date.now();
  // 1,000 users × 1,000 analyses over the last year, each billed twice (analysis + advice), with
  // their sent outbox rows and day counters (bench/fill.ts): 1,000,000 analyses and 2,000,000
  // usage events.
  await fillAnalyses(scratch, { prefix: 'user-', users: USERS, count: ANALYSES, days: 365 });
  await scratch.unsafe('VACUUM ANALYZE');
  // Counted, not derived from the events: the earlier steps' analyses share this database, and
  // an analysis without advice has one usage event, not two.
  const [{ analyses, events } = { analyses: 0, events: 0 }] = await scratch<
    [{ analyses: number; events: number }]
  >`SELECT (SELECT count(*)::int FROM analyses) AS analyses, (SELECT count(*)::int FROM usage_events) AS events`;
  log(
    `analyze: ${analyses} analyses, ${events} usage events for ${USERS} users loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const explain = async (title: string, text: string, params: string[]) => {
    const rows = await scratch.unsafe<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN (ANALYZE, BUFFERS) ${text}`,
      params,
    );
    log(`\n-- ${title}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  };
  await explain('GET /api/billing (one user, one IST month)', USAGE_SQL.periodGroups, [
    'user-42',
    '2026-11-01',
  ]);
  await explain('GET /api/usage current period (one user)', USAGE_SQL.userWindow, [
    'user-42',
    '2026-10-31T18:30:00Z',
    '2026-11-30T18:30:00Z',
  ]);
  await explain('GET /api/usage all time (one user)', USAGE_SQL.userAllTime, ['user-42']);
  log(`\nanalyze: ${analyses} analyses for the history plans below`);
  await explain('GET /api/analyses, first page (one user, limit 20)', HISTORY_SQL.firstPage, [
    'user-42',
    '21',
  ]);
  const [middle] = await scratch<[{ t: string; id: string }]>`
    SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t, id::text
    FROM analyses WHERE user_sub = 'user-42' ORDER BY created_at DESC, id DESC OFFSET 500 LIMIT 1`;
  await explain('GET /api/analyses, a page 500 analyses deep (keyset, not OFFSET)', HISTORY_SQL.nextPage, [
    'user-42',
    '21',
    middle?.t ?? '2026-11-01T00:00:00.000000Z',
    middle?.id ?? '00000000-0000-4000-8000-000000000000',
  ]);
  await explain('GET /api/analyses/{id} (owner only)', HISTORY_SQL.one, [
    middle?.id ?? '00000000-0000-4000-8000-000000000000',
    'user-42',
  ]);
  await explain('GET /api/usage?scope=global current period', USAGE_SQL.globalWindow, [
    '2026-10-31T18:30:00Z',
    '2026-11-30T18:30:00Z',
  ]);
  await explainWriteIndexes(scratch, explain, middle?.id ?? '00000000-0000-4000-8000-000000000000');
}

/**
 * The remaining indexes of the analyze write (migrations/0012), each by the query it serves:
 * without one of them, that query becomes a scan of a million rows.
 */
async function explainWriteIndexes(
  scratch: Sql,
  explain: (title: string, text: string, params: string[]) => Promise<void>,
  analysisId: string,
): Promise<void> {
  await scratch`UPDATE analyses SET idempotency_key = 'bench-key-' || id,
    idempotency_key_sha256 = encode(sha256(convert_to('bench-key-' || id, 'UTF8')), 'hex')
    WHERE id = ${analysisId}::uuid`;
  await explain(
    'analyze read: the stored answer of an Idempotency-Key (analyses_idempotency_sha256, partial)',
    `SELECT id, request_hash, response, answer FROM analyses
     WHERE user_sub = $1 AND idempotency_key_sha256 = encode(sha256(convert_to($2::text, 'UTF8')), 'hex')`,
    ['user-42', `bench-key-${analysisId}`],
  );
  await explain(
    'billing sync: the ledger row of each claimed outbox row (billing_outbox_pkey, usage_events_pkey)',
    `SELECT e.user_sub, e.quantity FROM billing_outbox o
     JOIN usage_events e ON e.analysis_id = o.analysis_id AND e.feature = o.feature
     WHERE o.analysis_id = $1::uuid AND o.feature = $2`,
    [analysisId, 'portfolio_analysis'],
  );
  await explain(
    'billing sync: due pending rows (billing_outbox_due, partial: sent rows are not in it)',
    `SELECT analysis_id, feature FROM billing_outbox WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz
     ORDER BY next_attempt_at LIMIT 100`,
    ['2026-11-28T12:00:00Z'],
  );
  await explain(
    'reconciliation: the events of some customers on an IST day (usage_events_user_time)',
    `SELECT ue.analysis_id, ue.feature FROM usage_events ue
     WHERE ue.user_sub = ANY($1::text[]) AND ue.occurred_at >= $2::timestamptz AND ue.occurred_at < $3::timestamptz`,
    ['{user-42,user-43}', '2026-11-26T18:30:00Z', '2026-11-27T18:30:00Z'],
  );
  await explain(
    'reconciliation and invoices: the customers with usage on a day (usage_daily_day)',
    'SELECT DISTINCT user_sub FROM usage_daily WHERE day = $1::date ORDER BY user_sub LIMIT 100',
    ['2026-11-27'],
  );
}
