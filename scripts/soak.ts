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
import { kinesisClient } from '../local/kinesis';
import { parseSoakOptions, type SoakOptions, USAGE } from './lib/soak/options';
import { databaseProbes, ledgerCheck, memoryAfterGc, soakPrices } from './lib/soak/probes';
import { apiLatencies, Recorder } from './lib/soak/recorder';
import { formatInterval, formatSummary } from './lib/soak/report';
import { attachTo, makeUsers, startOwnStack, type Target } from './lib/soak/target';
import { SOAK_SYMBOLS, TickFeed } from './lib/soak/ticks';
import { TAB_POLL_MS, Traffic } from './lib/soak/traffic';
import { decide, describePlan } from './lib/soak/verdict';

let options: SoakOptions;
try {
  options = parseSoakOptions(process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const { plan, limits } = options;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

let target: Target | undefined;
let traffic: Traffic | undefined;
let ticks: TickFeed | undefined;
let interrupted = false;
const stopLoad = async () => {
  await traffic?.stop();
  await ticks?.stop();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping the load and the stack…`);
    // While the stack is still starting there is nothing to stop yet: the main flow stops it
    // as soon as it is up (it checks `interrupted`), so no npm start is left behind.
    if (!target) return;
    void (async () => {
      await stopLoad();
      await target?.stop();
      process.exit(130);
    })();
  });
}

try {
  target = options.attach ? attachTo(options.attach) : await startOwnStack((l) => console.log(l));
  if (interrupted) {
    await target.stop();
    process.exit(130);
  }
  if (options.attach) console.log(`soak: against the running ${target.baseUrl} (admin ${target.adminUrl})`);
  if (!(await memoryAfterGc(target.adminUrl)))
    throw new Error(`no forced GC at ${target.adminUrl}/gc: start npm start with NODE_OPTIONS=--expose-gc`);
  const users = await makeUsers(target, options.users, Date.now().toString(36));
  const first = users[0]?.token as string;
  const kinesis = kinesisClient(target.kinesisEndpoint);
  const probes = databaseProbes(target.databaseUrl);
  const recorder = new Recorder();
  const stream = process.env.PRICE_STREAM_NAME ?? 'price-ticks';
  ticks = new TickFeed({ kinesis, stream, tickRate: options.tickRate, recorder });
  traffic = new Traffic({
    baseUrl: target.baseUrl,
    users,
    recorder,
    rate: options.rate,
    concurrency: options.concurrency,
    tabs: options.tabs,
    injectErrorEveryMs: options.injectError ? plan.intervalMs : undefined,
  });

  console.log(`soak: ${describePlan(plan)}`);
  console.log(
    `soak: aims for ${options.rate} API requests/s (≤ ${options.concurrency} in flight) from ${options.users} ` +
      `users (half with API keys), ${options.tabs} tabs polling GET /api/market every ${TAB_POLL_MS / 1000} s ` +
      `(${((options.tabs * 1000) / TAB_POLL_MS).toFixed(1)}/s), ${options.tickRate} ticks/s; ` +
      `limits: leak ${limits.maxLeak * 100} %, drift ${limits.maxDrift}×`,
  );
  // Warm-up, before the first interval: the soak's symbols must have prices to be analyzed.
  ticks.start();
  for (let i = 0; (await soakPrices(target, first)).count < SOAK_SYMBOLS.length; i++) {
    if (i >= 240)
      throw new Error('the soak symbols got no prices within 2 minutes: is the consumer running?');
    await sleep(500);
  }
  traffic.start();

  const heapAfterGc: (number | null)[] = [];
  const started = performance.now();
  for (let i = 1; i <= plan.intervals && !interrupted; i++) {
    await sleep(started + i * plan.intervalMs - performance.now());
    const rec = recorder.intervals[recorder.intervals.length - 1];
    recorder.nextInterval(); // requests ending while the probes run count in the next interval
    const [mem, databaseBytes, outboxPending, prices] = await Promise.all([
      memoryAfterGc(target.adminUrl),
      probes.databaseBytes(),
      probes.outboxPending(),
      soakPrices(target, first),
    ]);
    heapAfterGc.push(mem?.heapUsed ?? null);
    const sent = ticks.newestSent;
    if (!rec) continue;
    console.log(
      formatInterval(plan, i, rec, {
        rss: mem?.rss ?? null,
        heapAfterGc: mem?.heapUsed ?? null,
        databaseBytes,
        outboxPending,
        consumerLagS:
          sent !== null && prices.newest !== null ? Math.max(0, (sent - prices.newest) / 1000) : null,
        newestTickAgeS: prices.newest === null ? null : Math.max(0, (Date.now() - prices.newest) / 1000),
        ticksSent: ticks.sent,
        billedEvents: target.billedEvents?.() ?? null,
      }),
    );
  }
  await stopLoad();
  kinesis.destroy();
  await probes.close();

  console.log('soak: load stopped; running the ledger check (npm run check-ledger)…');
  const ledger = await ledgerCheck(target.databaseUrl, target.localDir);
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
  await stopLoad();
  await target?.stop();
}
