/**
 * Reads that do not grow with a user's history (issue 19 item 2), and the opt-in `--big` step
 * (item 4), printed, never asserted.
 *
 * Usage growth: GET /api/usage's three reads (all time, the current period, a `?from=&to=`
 * window) and GET /api/billing's read, through the real store (functions/analysis/usage-store.ts),
 * for ONE user at 0, 20,000 and 200,000 analyses spread over the same year (set-based fill,
 * bench/fill.ts). The reads sum the user's day counters, so the time should stay flat: the
 * number of day rows depends on the days used, not on the analyses made.
 *
 * Big: fill `analyses` (10 million by default; hours on a laptop) over 100,000 users and print
 * the history page, usage and billing query times and plans at that size.
 */

import postgres from 'postgres';
import { HISTORY_SQL } from '../functions/analysis/history-store';
import { sqlUsageStore, USAGE_SQL } from '../functions/analysis/usage-store';
import type { Sql } from '../functions/platform/db';
import { migrate } from '../functions/platform/migrations';
import type { LocalPostgres } from '../local/postgres';
import { fillAnalyses } from './fill';
import { percentile } from './stats';

const ROOT = new URL('..', import.meta.url).pathname;
const SIZES = [0, 20_000, 200_000];
const CALLS = 200;
const USER = 'grow-1';

async function scratch(server: LocalPostgres, name: string): Promise<Sql> {
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const sql = postgres(server.urlFor(name), { max: 2, onnotice: () => {} });
  await migrate(sql, `${ROOT}migrations`);
  return sql;
}

/** Median and p99 of `calls` sequential runs of `fn`, in ms. */
async function timed(fn: () => Promise<unknown>, calls = CALLS): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 50; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) };
}

const NOVEMBER = { from: new Date('2026-10-31T18:30:00Z'), to: new Date('2026-11-30T18:30:00Z') };
const WINDOW = { from: new Date('2026-05-31T18:30:00Z'), to: new Date('2026-08-31T18:30:00Z') };

export async function benchUsageGrowth(server: LocalPostgres, log: (line: string) => void = console.log) {
  const sql = await scratch(server, 'usage_growth');
  const store = sqlUsageStore(sql);
  // The same user also exists at 0, so the first row measures an empty history, not a missing user.
  await sql`INSERT INTO users (sub) VALUES (${USER})`;
  log(`usage and billing reads for one user (median / p99 of ${CALLS} sequential calls, ms; target: flat):`);
  log('  analyses   day rows   usage (3 reads)    billing');
  let filled = 0;
  for (const size of SIZES) {
    if (size > filled) {
      await fillAnalyses(sql, { prefix: 'grow-', users: 1, count: size - filled, days: 365 });
      filled = size;
      await sql`VACUUM ANALYZE`;
    }
    const usage = await timed(() =>
      Promise.all([store.allTime(USER), store.inWindow(USER, NOVEMBER), store.inWindow(USER, WINDOW)]),
    );
    const billing = await timed(() => store.periodGroups(USER, '2026-11-01'));
    const [rows] = await sql<
      [{ n: number }]
    >`SELECT count(*)::int AS n FROM usage_daily WHERE user_sub = ${USER}`;
    log(
      `  ${String(size).padStart(8)}   ${String(rows?.n).padStart(8)}   ${usage.p50.toFixed(2).padStart(6)} / ${usage.p99.toFixed(2).padEnd(6)}    ${billing.p50.toFixed(2)} / ${billing.p99.toFixed(2)}`,
    );
  }
  await sql.end();
}

/** `npm run bench -- --big[=N]`: N analyses (default 10,000,000) and the read plans at that size. */
export async function benchBig(
  server: LocalPostgres,
  analyses: number,
  log: (line: string) => void = console.log,
) {
  const sql = await scratch(server, 'big');
  const users = Math.max(1, Math.round(analyses / 100));
  log(`big: filling ${analyses} analyses over ${users} users …`);
  const seconds = await fillAnalyses(sql, { prefix: 'big-', users, count: analyses, days: 365 });
  await sql`VACUUM ANALYZE`;
  const [size] = await sql<
    [{ db: string }]
  >`SELECT pg_size_pretty(pg_database_size(current_database())) AS db`;
  log(`big: ${analyses} analyses filled in ${seconds.toFixed(0)} s; database ${size?.db}`);
  const explain = async (title: string, text: string, params: unknown[]) => {
    const rows = await sql.unsafe<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN (ANALYZE, BUFFERS) ${text}`,
      params as string[],
    );
    log(`\n-- ${title} at ${analyses} analyses\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
  };
  await explain('GET /api/analyses first page', HISTORY_SQL.firstPage, ['big-42', '21']);
  await explain('GET /api/usage all time', USAGE_SQL.userAllTime, ['big-42']);
  await explain('GET /api/usage current period', USAGE_SQL.userWindow, [
    'big-42',
    NOVEMBER.from.toISOString(),
    NOVEMBER.to.toISOString(),
  ]);
  await explain('GET /api/billing', USAGE_SQL.periodGroups, ['big-42', '2026-11-01']);
  await sql.end();
}
