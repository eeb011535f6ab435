/**
 * Analyze benchmark (issue 3), printed, never asserted:
 * 1. autocannon: 50 connections for 10 s against POST /api/analyze of a running server
 *    (no Idempotency-Key: every request is a new, billed analysis); req/s, p50/p99, errors;
 *    then the caller's usage counters and ledger must have grown by exactly the 2xx count.
 *    The load runs twice, with access tokens and then with API keys of the same users (issue 11).
 * 2. Database round trips per analyze, counted on the wire (bench/analyze-roundtrips.ts), and
 *    requests/s with derived measures on vs off and with portfolio risk on vs off, same build
 *    (bench/analyze-measures.ts).
 * 3. EXPLAIN (ANALYZE, BUFFERS) of the history, usage and billing queries and of each index the
 *    analyze write maintains, at 1,000,000 analyses, in a separate, temporary database on the
 *    same server (bench/explain-at-scale.ts).
 * Targets: p99 ≤ 50 ms, zero errors, counts equal, ≤ 3 round trips, the key path within 10 % of
 * the token path's req/s, derived measures on within 10 % of off, and so is portfolio risk.
 */
import { join } from 'node:path';
import autocannon from 'autocannon';
import postgres from 'postgres';
import type { Sql } from '../functions/platform/db';
import { migrate } from '../functions/platform/migrations';
import { runChild } from './child';
import { explainAtScale } from './explain-at-scale';

const ROOT = join(import.meta.dirname, '..');

export interface AnalyzeBenchOptions {
  /** Base URL of a running local API, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /**
   * Access tokens the server accepts, one user each; connection i uses token i mod n. Many
   * users is the realistic load: one user's analyses serialize on that user's usage counter.
   */
  tokens: string[];
  /** A client on the server's database (a role that may CREATE DATABASE, for step 3). */
  sql: Sql;
  connections?: number;
  durationSeconds?: number;
  log?: (line: string) => void;
}

function subOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return String(payload.sub);
}

async function ledger(sql: Sql, subs: string[]) {
  const [row] = await sql<[{ analyses: number; events: number; counter: number }]>`
    SELECT (SELECT count(*)::int FROM analyses WHERE user_sub = ANY(${subs})) AS analyses,
           (SELECT count(*)::int FROM usage_events
             WHERE user_sub = ANY(${subs}) AND feature = 'portfolio_analysis') AS events,
           (SELECT coalesce(sum(quantity), 0)::int FROM usage_daily
             WHERE user_sub = ANY(${subs}) AND feature = 'portfolio_analysis') AS counter`;
  return row;
}

/**
 * One autocannon run against POST /api/analyze with `credentials` (access tokens or API keys of
 * the users `subs`, connection i using credential i mod n); returns the average req/s.
 */
async function load(
  o: Required<AnalyzeBenchOptions>,
  label: string,
  credentials: string[],
  subs: string[],
): Promise<number | null> {
  const { sql, log } = o;
  const symbols = await sql<{ symbol: string }[]>`SELECT symbol FROM latest_prices ORDER BY symbol LIMIT 5`;
  if (symbols.length === 0) {
    log('analyze: no prices in the database yet; skipping the load test');
    return null;
  }
  const body = JSON.stringify({ portfolio: symbols.map((s, i) => ({ symbol: s.symbol, quantity: 10 + i })) });
  const headersOf = (token: string) => ({
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  });
  const url = `${o.baseUrl.replace(/\/$/, '')}/api/analyze`;
  for (const token of credentials) {
    const warm = await fetch(url, { method: 'POST', headers: headersOf(token), body });
    if (warm.status !== 200) throw new Error(`analyze warm-up answered ${warm.status}: ${await warm.text()}`);
  }

  const before = await ledger(sql, subs);
  let nextClient = 0;
  const r = await autocannon({
    url,
    method: 'POST',
    connections: o.connections,
    duration: o.durationSeconds,
    headers: headersOf(credentials[0] ?? ''),
    body,
    setupClient: (client: { setHeaders(headers: Record<string, string>): void }) => {
      client.setHeaders(headersOf(credentials[nextClient++ % credentials.length] ?? ''));
    },
  });
  // Requests still in flight when autocannon stops are answered by the server but not counted
  // by autocannon: give them a moment, then compare. The three records must agree exactly.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await ledger(sql, subs);
  const ok = r['2xx'];
  log(
    `analyze with ${label}: ${o.connections} connections (${subs.length} users), ${o.durationSeconds} s: ${r.requests.average.toFixed(0)} req/s, ` +
      `latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms; ` +
      `${ok} ok, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts ` +
      `(target: p99 ≤ 50 ms, zero errors)`,
  );
  const grew = {
    analyses: (after?.analyses ?? 0) - (before?.analyses ?? 0),
    ledger: (after?.events ?? 0) - (before?.events ?? 0),
    counter: (after?.counter ?? 0) - (before?.counter ?? 0),
  };
  const inFlight = grew.analyses - ok;
  const agree = grew.analyses === grew.ledger && grew.ledger === grew.counter;
  const verdict = agree && inFlight >= 0 && inFlight <= o.connections ? 'CONSISTENT' : 'MISMATCH';
  log(
    `analyze: recorded +${grew.analyses} analyses, +${grew.ledger} ledger charges, +${grew.counter} on the ` +
      `usage counter = ${ok} answered 2xx + ${inFlight} in flight when the load stopped: ${verdict}`,
  );
  return r.requests.average;
}

/** One API key per bench user, created through POST /api/keys with the user's access token. */
async function createKeys(baseUrl: string, tokens: string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const token of tokens) {
    const res = await fetch(`${baseUrl.replace(/\/$/, '')}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    if (res.status !== 201) throw new Error(`POST /api/keys answered ${res.status}: ${await res.text()}`);
    keys.push(((await res.json()) as { key: string }).key);
  }
  return keys;
}

/** The same load with access tokens, then with API keys of the same users, side by side. */
async function loadBoth(o: Required<AnalyzeBenchOptions>): Promise<void> {
  const subs = o.tokens.map(subOf);
  const viaToken = await load(o, 'access tokens', o.tokens, subs);
  if (viaToken === null) return;
  const viaKey = await load(o, 'API keys', await createKeys(o.baseUrl, o.tokens), subs);
  if (viaKey === null) return;
  const ratio = (viaKey / viaToken) * 100;
  o.log(
    `analyze: API keys ${viaKey.toFixed(0)} req/s vs access tokens ${viaToken.toFixed(0)} req/s = ` +
      `${ratio.toFixed(0)} % (target: within 10 %, i.e. ≥ 90 %)`,
  );
}

async function withScratchDatabase<T>(sql: Sql, fn: (url: string, scratch: Sql) => Promise<T>): Promise<T> {
  const name = `bench_analyze_${process.pid}`;
  const o = sql.options;
  const url = `postgres://${encodeURIComponent(o.user)}:${encodeURIComponent(String(o.pass ?? ''))}@${o.host[0]}:${o.port[0]}/${name}`;
  await sql.unsafe(`DROP DATABASE IF EXISTS ${name}`);
  await sql.unsafe(`CREATE DATABASE ${name}`);
  const scratch = postgres(url, { max: 2, onnotice: () => {} });
  try {
    await migrate(scratch, join(ROOT, 'migrations'));
    return await fn(url, scratch);
  } finally {
    await scratch.end({ timeout: 5 });
    await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

async function roundTrips(url: string, log: (line: string) => void): Promise<void> {
  const counts = await runChild<Record<string, number>>('analyze-roundtrips.ts', { BENCH_DB_URL: url });
  log(
    `analyze: database round trips (warm container): new analysis ${counts.new_analysis}, ` +
      `with Idempotency-Key ${counts.new_analysis_with_key}, sequential replay ${counts.sequential_replay}, ` +
      `with an API key ${counts.new_analysis_with_api_key}, ` +
      `first request of a new user ${counts.first_request_of_a_new_user}; ` +
      `cold container (connect + prepare) ${counts.cold_container_first_request} (target ≤ 3)`,
  );
}

/**
 * A feature switch on vs off, in a child process of its own like the round trips: analyze with
 * 20 holdings of ~120 sessions of history each, in-process, side by side. DERIVED_MEASURES
 * (issue 17 item 9) and PORTFOLIO_RISK (issue 18, SPEC §12).
 */
async function switchOnOff(
  url: string,
  log: (line: string) => void,
  name: 'DERIVED_MEASURES' | 'PORTFOLIO_RISK',
): Promise<void> {
  const r = await runChild<Record<string, number>>('analyze-measures.ts', {
    BENCH_DB_URL: url,
    BENCH_SWITCH: name,
  });
  const pct = (x = 0) => `${(x * 100).toFixed(0)} %`;
  const what = name === 'PORTFOLIO_RISK' ? 'portfolio risk' : 'derived measures';
  log(
    `analyze: ${what} on ${r.on?.toFixed(0)} req/s vs off ${r.off?.toFixed(0)} req/s (medians); ` +
      `on/off ${pct(r.ratio)}, median of ${r.rounds} alternating pairs of ${r.seconds} s ` +
      `(range ${pct(r.min_ratio)}–${pct(r.max_ratio)}; ${r.holdings} holdings with history, ` +
      `${r.connections} callers in-process; target ≥ 90 %)`,
  );
}

/** Run the analyze benchmark against a running server; prints, never throws on missed targets. */
export async function benchAnalyze(options: AnalyzeBenchOptions): Promise<void> {
  const o: Required<AnalyzeBenchOptions> = {
    connections: 50,
    durationSeconds: 10,
    log: (line) => console.log(line),
    ...options,
  };
  await loadBoth(o);
  await withScratchDatabase(o.sql, async (url, scratch) => {
    await roundTrips(url, o.log);
    await switchOnOff(url, o.log, 'DERIVED_MEASURES');
    await switchOnOff(url, o.log, 'PORTFOLIO_RISK');
    await explainAtScale(scratch, o.log);
  });
}
