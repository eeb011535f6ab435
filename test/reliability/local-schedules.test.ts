/**
 * `npm start`'s daily jobs (local/scheduled.ts): the retention job prunes at start and on its
 * timer, and with Flexprice configured the reconciliation runs the previous IST day as the
 * daily AWS schedule does, through the same handlers as the Lambdas.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { flexpriceConfig } from '../../functions/billing/config';
import { type FlexpriceStandin, startFlexpriceStandin } from '../../local/flexprice-standin';
import { localReconciliation, localRetention } from '../../local/scheduled';
import { at } from '../helpers/clock';
import { useTestDatabase } from '../helpers/db';
import { withEnv } from '../helpers/env';

const db = useTestDatabase();
let standin: FlexpriceStandin;

beforeAll(async () => {
  standin = await startFlexpriceStandin();
  await db.current.sql`INSERT INTO users (sub) VALUES ('sched-a')`;
});
afterAll(async () => standin.close());
afterEach(() => {
  vi.useRealTimers();
});

describe('npm start schedules', () => {
  it('the retention timer prunes an analysis past retention on its first run', async () => {
    const id = crypto.randomUUID();
    await db.current.sql`
      INSERT INTO analyses (id, user_sub, request_hash, rule_set, portfolio, advice_count, portfolio_value_paise,
                            charged_paise, response, portfolios_analyzed_total, advice_generated_total, created_at)
      VALUES (${id}, 'sched-a', ${'a'.repeat(64)}, 'v1', '[]', 0, 100, 0, '{}', 1, 0, now() - interval '14 months')`;
    const lines: string[] = [];
    const timer = await localRetention((line) => lines.push(line));
    await timer.stop(); // waits for the run in flight
    const [row] = await db.current
      .sql`SELECT deleted_at IS NOT NULL AS deleted FROM analyses WHERE id = ${id}`;
    expect(row?.deleted).toBe(true);
    expect(lines).toEqual([expect.stringMatching(/1 analyses older than 13 months pruned/)]);
  });

  it('with Flexprice configured, reconciliation runs the previous IST day at start', async () => {
    // The first instant of 1 December in IST (30 November 18:30 UTC): a fixed clock (Date only),
    // so the day the job picks cannot change under the test, and the IST day is the one taken.
    at('2026-12-01T00:00:00.000+05:30');
    const lines: string[] = [];
    await withEnv(
      { FLEXPRICE_API_KEY: 'fp_test_key_local_schedule_0001', FLEXPRICE_API_URL: standin.url },
      [flexpriceConfig],
      async () => {
        const timer = await localReconciliation((line) => lines.push(line));
        await timer.stop();
      },
    );
    const runs = await db.current.sql<{ day: string }[]>`SELECT day::text FROM reconciliation_runs`;
    expect(runs.map((r) => r.day)).toEqual(['2026-11-30']);
    expect(lines).toContainEqual(expect.stringMatching(/^reconcile {2}2026-11-30: matched; /));
  });
});
