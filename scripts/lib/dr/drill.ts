/**
 * The disaster-recovery drill (`npm run dr-drill`, docs/operations.md "The drill"): the
 * runbook's in-region restore, end to end on this machine, against the real handlers, a real
 * PostgreSQL point-in-time restore (pitr.ts) and the Flexprice stand-in.
 *
 * 1. A primary that archives its WAL; migrations; a base backup.
 * 2. Load before T: ticks through the consumer, analyses through POST /api/analyze synced to
 *    Flexprice, an API key, last month's invoice (its number journaled).
 * 3. T. Load after T that reaches Flexprice: more ticks and analyses (one with an
 *    Idempotency-Key), the key revoked, an analysis deleted, the invoice paid (all journaled).
 * 4. Failure at F: everything after T is lost (as if its WAL never left the server).
 * 5. Restore to T into a new server; point the functions at it (configuration); migrations;
 *    the stream re-read from before T; adoption from Flexprice; the journal re-applied.
 * 6. Checks: prices as before the failure, nothing the journal holds undone, a retried key not
 *    billed twice, check-ledger consistent, Flexprice and the ledger matched for the days.
 *    RPO = F − T; RTO = from F to the end of the checks.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisStreamRecord } from 'aws-lambda';
import postgres from 'postgres';
import { startFlexpriceStandin } from '../../../local/flexprice-standin';
import { generateIssuerKey, LOCAL_CLIENT_ID, LOCAL_ISSUER, signAccessToken } from '../../../local/issuer';
import { apiEvent, lambdaContext, tickRecord } from '../../../local/lambda';
import { freePort } from '../../../local/ports';
import { checkLedger } from '../ledger-invariants';
import { archiveNow, baseBackup, restoreToTime, type Server, startArchivingPrimary } from './pitr';

export interface DrillOptions {
  /** A folder of its own (created); holds both servers, the WAL archive and the journal. */
  dir: string;
  analysesBefore: number;
  analysesAfter: number;
  /** Tick records per phase. */
  ticks: number;
  log: (line: string) => void;
}

export interface DrillReport {
  restoreTarget: string;
  rpoMs: number;
  rtoMs: number;
  analysesAfterT: number;
  /** Answered after T, not in history after the restore (before adoption). */
  lostAnalyses: number;
  adopted: number;
  reconciliation: string[];
  journal: { applied: number; unchanged: number; unresolved: string[] };
  checks: Record<string, boolean>;
  checkLedger: string;
  ok: boolean;
}

const SYMBOLS = ['TCS', 'INFY', 'RELIANCE', 'HDFCBANK', 'SBIN'];
const MIGRATIONS = join(import.meta.dirname, '../../../migrations');
const FLEXPRICE_KEY = 'fp_dr_drill_local_key';

let sequence = 49_700_000_000_000_000_000_000_000_000_000_000_000_000_000n;
/** `count` ticks across the symbols, each newer than the last, as the stream holds them. */
function ticks(count: number, base: number): KinesisStreamRecord[] {
  return Array.from({ length: count }, (_, i) => {
    sequence += 1n;
    const now = Date.now();
    return tickRecord({
      sequenceNumber: sequence.toString(),
      arrivalMs: now,
      data: {
        symbol: SYMBOLS[i % SYMBOLS.length] as string,
        price: Math.round((base + i * 1.25) * 100) / 100,
        ts: new Date(now - 1_000 + i).toISOString(),
      },
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  await mkdir(o.dir, { recursive: true });
  // The server may run as another user (root → `postgres`): it must reach its folders.
  await chmod(o.dir, 0o755);
  const journalFile = join(o.dir, 'journal.jsonl');
  const issuer = await generateIssuerKey();
  const standin = await startFlexpriceStandin();
  const [primaryPort, restoredPort] = [await freePort(), await freePort()];

  o.log(`1. primary with WAL archiving on 127.0.0.1:${primaryPort}; migrations; base backup`);
  const primary = await startArchivingPrimary(
    join(o.dir, 'primary'),
    join(o.dir, 'wal-archive'),
    primaryPort,
  );
  let restored: Server | null = null;
  let primaryUp = true;
  const admin = postgres(primary.url('postgres'), { max: 1, onnotice: () => {} });
  await admin`CREATE DATABASE stocks`;
  await admin.end();
  // Handlers read configuration once, when first imported: set it all first.
  Object.assign(process.env, {
    DATABASE_URL: primary.url('stocks'),
    LOCAL_JWT_ISSUER: LOCAL_ISSUER,
    LOCAL_JWT_CLIENT_ID: LOCAL_CLIENT_ID,
    LOCAL_JWKS: JSON.stringify(issuer.publicJwks),
    FLEXPRICE_API_KEY: FLEXPRICE_KEY,
    FLEXPRICE_API_URL: standin.url,
    RECONCILE_SETTLE_MS: '0',
    JOURNAL_FILE: journalFile,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const { closeDb, db } = await import('../../../functions/platform/db');
  const { dbConfig } = await import('../../../functions/platform/config');
  const { migrate } = await import('../../../functions/platform/migrations');
  const { handler: analyze } = await import('../../../functions/analyze');
  const { handler: consumer } = await import('../../../functions/consumer');
  const { handler: keyCreate } = await import('../../../functions/key-create');
  const { handler: keyRevoke } = await import('../../../functions/key-revoke');
  const { handler: analysisDelete } = await import('../../../functions/analysis-delete');
  const { handler: analysisList } = await import('../../../functions/analysis-list');
  const { handler: invoicePayment } = await import('../../../functions/invoice-payment');
  const { closeMonths } = await import('../../../functions/invoices');
  const { flexpriceConfig } = await import('../../../functions/billing/config');
  const { flexpriceProvider } = await import('../../../functions/billing/flexprice');
  const { syncOnce } = await import('../../../functions/billing/sync');
  const { reconcileConfig } = await import('../../../functions/billing/config');
  const { flexpriceReader } = await import('../../../functions/billing/reconciliation-provider');
  const { istDate } = await import('../../../functions/core/ist');
  const { readJournal } = await import('../../../functions/platform/journal');
  const { replayJournal } = await import('./replay');
  const { daysBetween, reconcileDays } = await import('./reconcile-days');

  const quiet = { debug() {}, info() {}, warn() {} };
  const token = (sub: string, admin = false) =>
    signAccessToken(issuer, { issuer: LOCAL_ISSUER, sub, ...(admin ? { groups: ['admin'] } : {}) });
  const call = async (h: (e: never, c: never) => Promise<unknown>, e: Parameters<typeof apiEvent>[0]) => {
    const res = (await h(apiEvent(e) as never, lambdaContext() as never)) as {
      statusCode: number;
      body?: string;
    };
    return { status: res.statusCode, json: JSON.parse(res.body || 'null') };
  };
  const feed = async (records: KinesisStreamRecord[]) => {
    const res = (await consumer({ Records: records }, lambdaContext('consumer'))) as {
      batchItemFailures: unknown[];
    };
    if (res.batchItemFailures.length) throw new Error('the consumer failed a batch');
  };
  const sync = async () => {
    const config = flexpriceConfig() as Extract<ReturnType<typeof flexpriceConfig>, { enabled: true }>;
    const sql = await db();
    return syncOnce({
      sql,
      client: flexpriceProvider(config, FLEXPRICE_KEY),
      config,
      logger: quiet,
      metrics: { addMetric: () => {} },
    });
  };
  const analyzeAs = async (sub: string, i: number, key?: string) => {
    const res = await call(analyze as never, {
      method: 'POST',
      path: '/api/analyze',
      token: await token(sub),
      body: {
        portfolio: [
          { symbol: SYMBOLS[i % SYMBOLS.length], quantity: 1 + i },
          { symbol: 'TCS', quantity: 2 },
        ],
      },
      headers: key ? { 'Idempotency-Key': key } : {},
    });
    if (res.status !== 200) throw new Error(`analyze answered ${res.status}: ${JSON.stringify(res.json)}`);
    return res.json as { analysis_id: string };
  };

  try {
    await migrate(await db(), MIGRATIONS);
    await baseBackup(primary, join(o.dir, 'base-backup'));

    o.log(
      `2. before T: ${o.ticks} ticks, ${o.analysesBefore} analyses synced to Flexprice, an API key, last month's invoice`,
    );
    const streamBefore = ticks(o.ticks, 1_000);
    await feed(streamBefore);
    const before: string[] = [];
    for (let i = 0; i < o.analysesBefore; i++)
      before.push((await analyzeAs(`drill-user-${i % 3}`, i)).analysis_id);
    const key = await call(keyCreate as never, {
      method: 'POST',
      path: '/api/keys',
      token: await token('drill-user-0'),
      body: { name: 'drill' },
    });
    const payer = 'drill-payer';
    const sql = await db();
    await seedLastMonth(sql, payer);
    await closeMonths({ sql, now: new Date() });
    const [invoice] = await sql<
      [{ id: string; number: string }]
    >`SELECT id::text, number FROM invoices WHERE user_sub = ${payer}`;
    await sync();

    const [{ t }] = await sql<[{ t: Date }]>`SELECT clock_timestamp() AS t`;
    await sleep(20);
    o.log(
      `3. T = ${t.toISOString()}; after T: ${o.ticks} ticks, ${o.analysesAfter} analyses synced to Flexprice, key revoked, analysis deleted, invoice paid`,
    );
    const streamAfter = ticks(o.ticks, 2_000);
    await feed(streamAfter);
    const after: string[] = [];
    const retriedKey = 'drill-order-42';
    for (let i = 0; i < o.analysesAfter; i++) {
      after.push((await analyzeAs(`drill-user-${i % 3}`, i, i === 0 ? retriedKey : undefined)).analysis_id);
    }
    await sync();
    const revoked = await call(keyRevoke as never, {
      method: 'DELETE',
      path: `/api/keys/${key.json.id}`,
      token: await token('drill-user-0'),
      pathParameters: { id: key.json.id },
    });
    const deleted = before[0] as string;
    const removed = await call(analysisDelete as never, {
      method: 'DELETE',
      path: `/api/analyses/${deleted}`,
      token: await token('drill-user-0'),
      pathParameters: { id: deleted },
    });
    const paid = await call(invoicePayment as never, {
      method: 'POST',
      path: `/api/admin/invoices/${invoice.id}/payment`,
      token: await token('drill-ops', true),
      pathParameters: { id: invoice.id },
      body: { reference: 'UTR-DRILL-0001' },
    });
    if (revoked.status !== 204 || removed.status !== 204 || paid.status !== 200)
      throw new Error('revoking or paying failed before the failure');
    const pricesBefore = await sql`SELECT symbol, price::text, ts FROM latest_prices ORDER BY symbol`;
    const usageBefore =
      await sql`SELECT user_sub, day::text, feature, unit_price_paise::text, quantity::text FROM usage_daily
                 ORDER BY user_sub, day, feature, unit_price_paise`;
    await archiveNow(primary);

    const failedAt = new Date();
    o.log(`4. failure at ${failedAt.toISOString()}: the primary is gone; everything after T is lost`);
    await closeDb();
    await primary.stop();
    primaryUp = false;

    o.log(
      `5. restore to T into a new server on 127.0.0.1:${restoredPort}; repoint; migrate; re-read the stream; adopt; replay the journal`,
    );
    restored = await restoreToTime(
      join(o.dir, 'base-backup'),
      join(o.dir, 'wal-archive'),
      join(o.dir, 'restored'),
      t,
      restoredPort,
    );
    process.env.DATABASE_URL = restored.url('stocks');
    dbConfig.reset();
    const rsql = await db();
    await migrate(rsql, MIGRATIONS);
    const present = new Set(
      (await rsql<{ id: string }[]>`SELECT id::text FROM analyses WHERE id = ANY(${after}::uuid[])`).map(
        (r) => r.id,
      ),
    );
    const lost = after.filter((id) => !present.has(id)).length;
    // The event source mapping, recreated at a timestamp before T, delivers the stream again from
    // there: the tail of the records before T, then all after it.
    await feed([...streamBefore.slice(-Math.ceil(o.ticks / 2)), ...streamAfter]);
    const days = daysBetween(istDate(t), istDate(failedAt)) as string[];
    const lines: string[] = [];
    const reader = flexpriceReader({
      ...reconcileConfig(),
      apiUrl: standin.url,
      apiKey: FLEXPRICE_KEY,
      timeoutMs: 5_000,
    });
    const { ok: matched, adopted } = await reconcileDays(
      days,
      true,
      { sql: rsql, reader, config: reconcileConfig(), logger: quiet },
      (l) => lines.push(l),
    );
    const replay = await replayJournal(rsql, await readJournal(journalFile));

    o.log('6. checks');
    const retry = await call(analyze as never, {
      method: 'POST',
      path: '/api/analyze',
      token: await token('drill-user-0'),
      body: {
        portfolio: [
          { symbol: SYMBOLS[0], quantity: 1 },
          { symbol: 'TCS', quantity: 2 },
        ],
      },
      headers: { 'Idempotency-Key': retriedKey },
    });
    const keyNow = await call(analysisList as never, { path: '/api/analyses', token: key.json.key });
    const [k] = await rsql`SELECT revoked_at FROM api_keys WHERE id = ${key.json.id}`;
    // Erased in both stored forms (before and since migrations/0013).
    const [d] = await rsql`
      SELECT deleted_at, (answer IS NULL AND response IS NULL AND portfolio IS NULL) AS erased
      FROM analyses WHERE id = ${deleted}`;
    const [inv] = await rsql`SELECT status, payment_reference FROM invoices WHERE id = ${invoice.id}`;
    const pricesAfter = await rsql`SELECT symbol, price::text, ts FROM latest_prices ORDER BY symbol`;
    const usageAfter =
      await rsql`SELECT user_sub, day::text, feature, unit_price_paise::text, quantity::text FROM usage_daily
                 ORDER BY user_sub, day, feature, unit_price_paise`;
    const violations = await checkLedger(rsql);
    const checks = {
      'latest prices equal those before the failure':
        JSON.stringify(pricesAfter) === JSON.stringify(pricesBefore),
      'usage totals equal those before the failure':
        JSON.stringify(usageAfter) === JSON.stringify(usageBefore),
      'revoked key stays revoked (401)': k?.revoked_at != null && keyNow.status === 401,
      'deleted analysis stays deleted': d?.deleted_at != null && d?.erased === true,
      'payment survives': inv?.status === 'paid' && inv?.payment_reference === 'UTR-DRILL-0001',
      [`invoice number ${invoice.number} not handed out again`]: await counterCovers(rsql, invoice.number),
      'retried Idempotency-Key of a lost analysis not billed twice (409)': retry.status === 409,
      'Flexprice and the ledger match for the restored days': matched,
      'every analysis lost after T adopted back': lost === 0 || adopted >= lost,
    };
    const rtoMs = Date.now() - failedAt.getTime();
    const report: DrillReport = {
      restoreTarget: t.toISOString(),
      rpoMs: failedAt.getTime() - t.getTime(),
      rtoMs,
      analysesAfterT: after.length,
      lostAnalyses: lost,
      adopted,
      reconciliation: lines,
      journal: replay,
      checks,
      checkLedger: violations.length ? violations.map((v) => v.invariant).join('; ') : 'consistent',
      ok: Object.values(checks).every(Boolean) && violations.length === 0 && replay.unresolved.length === 0,
    };
    return report;
  } finally {
    await closeDb();
    await restored?.stop();
    if (primaryUp) await primary.stop();
    await standin.close();
  }
}

/** Last month's usage for `sub` (one analysis, 5 INR), so that an invoice can be issued and paid. */
async function seedLastMonth(sql: postgres.Sql, sub: string): Promise<void> {
  const at = new Date(Date.now() - 40 * 86_400_000);
  await sql.begin(async (tx) => {
    await tx`INSERT INTO users (sub) VALUES (${sub}) ON CONFLICT DO NOTHING`;
    const [a] = await tx<[{ id: string }]>`
      INSERT INTO analyses (id, user_sub, request_hash, rule_set, portfolio, advice_count, portfolio_value_paise,
                            charged_paise, response, portfolios_analyzed_total, advice_generated_total, created_at)
      VALUES (gen_random_uuid(), ${sub}, repeat('0', 64), 'v1', '[{"symbol":"TCS","quantity":1}]', 0, 100000,
              500, '{}', 1, 0, ${at}) RETURNING id::text`;
    await tx`INSERT INTO usage_events (analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at)
             VALUES (${a.id}, 'portfolio_analysis', ${sub}, 1, 500, ${at})`;
    await tx`INSERT INTO billing_outbox (analysis_id, feature, next_attempt_at)
             VALUES (${a.id}, 'portfolio_analysis', ${at})`;
    await tx`INSERT INTO usage_daily (user_sub, day, feature, unit_price_paise, quantity)
             VALUES (${sub}, (${at}::timestamptz AT TIME ZONE 'Asia/Kolkata')::date, 'portfolio_analysis', 500, 1)`;
  });
}

/** Whether the counter of the invoice's month is at or past its number. */
async function counterCovers(sql: postgres.Sql, number: string): Promise<boolean> {
  const m = /^SC-(\d{4})-(\d{2})-(\d+)$/.exec(number);
  if (!m) return false;
  const [c] =
    await sql`SELECT last_number FROM invoice_counters WHERE period = ${`${m[1]}-${m[2]}-01`}::date`;
  return c !== undefined && Number(c.last_number) >= Number(m[3]);
}
