/**
 * The database write of one analysis, measured (issue 19 item 1), printed, never asserted:
 * WAL bytes, table + index bytes, rows and index entries per analysis, and the database time of
 * the write, for today's schema and statement (migrations/, sqlAnalysisStore().record) and, in
 * the same run on the same server, for the schema and statement of commit f2c7dbb kept in
 * bench/baseline/ (the issue's "before": 5,763 WAL and 4,235 storage bytes measured through the
 * API). Both write the same fixed analysis (bench/write-fixture.ts): 5 holdings, 3 advice
 * items, 50 users, every other analysis with an Idempotency-Key.
 *
 * How the figures are kept honest:
 * - A server of its own (embedded PostgreSQL in a temporary folder), autovacuum off: nothing else
 *   writes WAL between the two LSNs.
 * - Full-page images: the first change to each page after a checkpoint logs the whole page, which
 *   depends on when the last checkpoint was, not on the schema. We warm up (so every table and
 *   index has pages), CHECKPOINT, then measure, and read the WAL back with pg_walinspect, which
 *   splits record bytes from FPI bytes: "WAL" below is the records (what each analysis costs in
 *   steady state, on a server that checkpoints every few minutes); the FPI share is printed apart.
 * - Storage: pg_total_relation_size growth over MEASURED analyses (pages are 8 KiB, so a few
 *   thousand analyses make the rounding negligible).
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { type NewAnalysis, sqlAnalysisStore } from '../functions/analysis/analysis-store';
import { encodeAnalysis } from '../functions/analysis/stored-answer';
import type { Sql } from '../functions/platform/db';
import { migrate } from '../functions/platform/migrations';
import { freePort } from '../local/ports';
import { type LocalPostgres, startEmbeddedPostgres } from '../local/postgres';
import { benchBig, benchUsageGrowth } from './usage-growth';
import { fixedAnalysis } from './write-fixture';

const ROOT = join(import.meta.dirname, '..');
const USERS = 50;
const WARM_UP = 500;
const MEASURED = 2_000;
/** The issue's figures at f2c7dbb, through the API (for reference beside this run's). */
const ISSUE_BEFORE = { wal: 5_763, storage: 4_235 };
export const TARGET = { wal: 2_880, storage: 2_120 };

export interface WriteCost {
  walRecordBytes: number;
  walFpiBytes: number;
  storageBytes: number;
  indexBytes: number;
  rowsInserted: number;
  rowsUpdated: number;
  indexEntries: number;
  dbMs: number;
  /** The same without waiting for the commit's flush: roughly the database's CPU per write. */
  dbMsNoFlush: number;
  /** Table + index bytes per analysis by table (its TOAST included), largest first. */
  byTable: Array<[string, number]>;
  /** WAL record bytes per analysis by record type (Heap/INSERT, Btree/INSERT_LEAF, …), largest first. */
  byRecord: Array<[string, number]>;
}

type Write = (a: NewAnalysis) => Promise<void>;

/** The statement of f2c7dbb with today's parameters (both take the same NewAnalysis). */
async function baselineWrite(sql: Sql): Promise<Write> {
  const record = await readFile(join(import.meta.dirname, 'baseline/record.sql'), 'utf8');
  return async (a) => {
    await sql.unsafe(record, [
      a.id,
      a.userSub,
      a.idempotencyKey,
      a.requestHash,
      a.ruleSet,
      JSON.stringify(a.portfolio),
      JSON.stringify(a.advice),
      a.portfolioValuePaise.toString(),
      a.chargedPaise.toString(),
      JSON.stringify(a.body),
      a.adviceCount,
      JSON.stringify(
        a.charges.map((c) => ({
          feature: c.feature,
          quantity: c.quantity,
          unit_price_paise: c.unitPricePaise.toString(),
        })),
      ),
      a.at,
      a.apiKeyId,
      JSON.stringify(a.ruleSettings),
      a.notAfter,
    ]);
  };
}

async function currentWrite(sql: Sql): Promise<Write> {
  const store = sqlAnalysisStore(sql);
  return async (a) => {
    const outcome = await store.record(a);
    if (outcome.kind !== 'recorded')
      throw new Error(`write-cost: the analysis was not recorded (${outcome.kind})`);
  };
}

interface TableStats {
  bytes: number;
  indexBytes: number;
  ins: number;
  upd: number;
  indexEntries: number;
  tables: Map<string, number>;
}

/** Sizes and row counters of every table of the schema; index entries = rows written × indexes. */
async function tableStats(sql: Sql): Promise<TableStats> {
  await sql`SELECT pg_stat_force_next_flush()`;
  const [row] = await sql<
    [{ bytes: string; index_bytes: string; ins: string; upd: string; entries: string }]
  >`
    SELECT sum(pg_total_relation_size(s.relid))::text AS bytes,
           sum(pg_indexes_size(s.relid))::text AS index_bytes,
           sum(s.n_tup_ins)::text AS ins, sum(s.n_tup_upd)::text AS upd,
           sum((s.n_tup_ins + s.n_tup_upd - s.n_tup_hot_upd)
               * (SELECT count(*) FROM pg_index i WHERE i.indrelid = s.relid))::text AS entries
    FROM pg_stat_user_tables s`;
  const tables = await sql<{ name: string; bytes: string }[]>`
    SELECT relname AS name, pg_total_relation_size(relid)::text AS bytes FROM pg_stat_user_tables`;
  return {
    tables: new Map(tables.map((t) => [t.name, Number(t.bytes)])),
    bytes: Number(row?.bytes),
    indexBytes: Number(row?.index_bytes),
    ins: Number(row?.ins),
    upd: Number(row?.upd),
    indexEntries: Number(row?.entries),
  };
}

async function measure(sql: Sql, write: Write): Promise<WriteCost> {
  await sql.unsafe(`INSERT INTO users (sub) SELECT 'writer-' || g FROM generate_series(1, ${USERS}) g`);
  let n = 0;
  const next = () => {
    n++;
    const key = n % 2 === 0 ? `bench-key-${n}` : null;
    return fixedAnalysis(`writer-${(n % USERS) + 1}`, new Date(Date.UTC(2026, 11, 4, 4, 0, 0, n)), key);
  };
  for (let i = 0; i < WARM_UP; i++) await write(next());
  await sql`CHECKPOINT`;
  const before = await tableStats(sql);
  const [start] = await sql<[{ lsn: string }]>`SELECT pg_current_wal_insert_lsn()::text AS lsn`;
  // The analyses are built before the clock starts: the time is the database's part alone.
  const batch = Array.from({ length: MEASURED }, next);
  const t0 = performance.now();
  for (const a of batch) await write(a);
  const dbMs = (performance.now() - t0) / MEASURED;
  const [end] = await sql<[{ lsn: string }]>`SELECT pg_current_wal_insert_lsn()::text AS lsn`;
  const after = await tableStats(sql);
  await sql`SET synchronous_commit = off`;
  const unflushed = Array.from({ length: WARM_UP }, next);
  const t1 = performance.now();
  for (const a of unflushed) await write(a);
  const dbMsNoFlush = (performance.now() - t1) / WARM_UP;
  await sql`SET synchronous_commit = on`;
  const [wal] = await sql<[{ record: string; fpi: string }]>`
    SELECT sum(record_size)::text AS record, sum(fpi_size)::text AS fpi
    FROM pg_get_wal_stats(${start?.lsn}::pg_lsn, ${end?.lsn}::pg_lsn)`;
  const records = await sql<{ kind: string; count: string; bytes: string }[]>`
    SELECT "resource_manager/record_type" AS kind, count::text, record_size::text AS bytes
    FROM pg_get_wal_stats(${start?.lsn}::pg_lsn, ${end?.lsn}::pg_lsn, true)
    WHERE count > 0 ORDER BY record_size DESC LIMIT 8`;
  return {
    walRecordBytes: Number(wal?.record) / MEASURED,
    walFpiBytes: Number(wal?.fpi) / MEASURED,
    storageBytes: (after.bytes - before.bytes) / MEASURED,
    indexBytes: (after.indexBytes - before.indexBytes) / MEASURED,
    rowsInserted: (after.ins - before.ins) / MEASURED,
    rowsUpdated: (after.upd - before.upd) / MEASURED,
    indexEntries: (after.indexEntries - before.indexEntries) / MEASURED,
    dbMs,
    dbMsNoFlush,
    byRecord: records.map((r): [string, number] => [
      `${r.kind} ×${(Number(r.count) / MEASURED).toFixed(1)}`,
      Number(r.bytes) / MEASURED,
    ]),
    byTable: [...after.tables]
      .map(([name, bytes]): [string, number] => [name, (bytes - (before.tables.get(name) ?? 0)) / MEASURED])
      .filter(([, bytes]) => bytes > 0)
      .sort((a, b) => b[1] - a[1]),
  };
}

/** A scratch database on `server` with pg_walinspect, set up by `schema`. */
async function scratch(server: LocalPostgres, name: string, schema: (sql: Sql) => Promise<unknown>) {
  const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const sql = postgres(server.urlFor(name), { max: 1, onnotice: () => {} });
  await sql`CREATE EXTENSION pg_walinspect`;
  await schema(sql);
  return sql;
}

/** Start a private server (autovacuum off, so nothing but the bench writes WAL). */
async function withBenchServer<T>(fn: (server: LocalPostgres) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-write-'));
  await chmod(dir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
  });
  try {
    const admin = postgres(server.adminUrl, { max: 1, onnotice: () => {} });
    await admin`ALTER SYSTEM SET autovacuum = off`;
    await admin`SELECT pg_reload_conf()`;
    await admin.end();
    return await fn(server);
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const f = (x: number) => x.toFixed(0).padStart(6);

/** The client's share of today's write: encoding the stored answer (stored-answer.ts), per analysis. */
function encodeMs(): number {
  const a = fixedAnalysis('writer-1', new Date(Date.UTC(2026, 11, 4, 4)), null);
  const content = { holdings: a.portfolio, body: a.body };
  for (let i = 0; i < 100; i++) encodeAnalysis(content, a.id);
  const t0 = performance.now();
  for (let i = 0; i < WARM_UP; i++) encodeAnalysis(content, a.id);
  return (performance.now() - t0) / WARM_UP;
}

async function benchWriteCost(server: LocalPostgres, log: (line: string) => void = console.log) {
  const old = await scratch(server, 'write_baseline', async (sql) =>
    sql.unsafe(await readFile(join(import.meta.dirname, 'baseline/schema.sql'), 'utf8')),
  );
  const before = await measure(old, await baselineWrite(old));
  await old.end();
  const now = await scratch(server, 'write_current', (sql) => migrate(sql, join(ROOT, 'migrations')));
  const after = await measure(now, await currentWrite(now));
  await now.end();

  log(
    `write cost per analysis (5 holdings, 3 advice, every other with an Idempotency-Key; ${MEASURED} analyses after ${WARM_UP} warm-up, after a CHECKPOINT):`,
  );
  log('                              f2c7dbb schema   today   target');
  const row = (label: string, a: number, b: number, target = '') =>
    log(`  ${label.padEnd(28)}${f(a)}        ${f(b)}  ${target}`);
  row('WAL bytes (records)', before.walRecordBytes, after.walRecordBytes, `≤ ${TARGET.wal}`);
  row('  + full-page images', before.walFpiBytes, after.walFpiBytes, '(depends on checkpoint timing)');
  row('table + index bytes', before.storageBytes, after.storageBytes, `≤ ${TARGET.storage}`);
  row('  of which index bytes', before.indexBytes, after.indexBytes);
  log(
    `  rows inserted / updated       ${before.rowsInserted.toFixed(1)} / ${before.rowsUpdated.toFixed(1)}      ${after.rowsInserted.toFixed(1)} / ${after.rowsUpdated.toFixed(1)}`,
  );
  row('index entries', before.indexEntries, after.indexEntries);
  log(
    `  database time per write (ms)  ${before.dbMs.toFixed(2).padStart(6)}        ${after.dbMs.toFixed(2).padStart(6)}  (one connection, sequential)`,
  );
  log(
    `    without the commit flush    ${before.dbMsNoFlush.toFixed(2).padStart(6)}        ${after.dbMsNoFlush.toFixed(2).padStart(6)}  (≈ database CPU per write)`,
  );
  log(
    `    of which storing the answer in the client (deflate, checked round trip, migrations/0013): ${encodeMs().toFixed(2)} ms`,
  );
  const tables = (c: WriteCost) => c.byTable.map(([t, b]) => `${t} ${b.toFixed(0)}`).join(', ');
  log(`  by table, f2c7dbb: ${tables(before)}`);
  log(`  by table, today:   ${tables(after)}`);
  const records = (c: WriteCost) => c.byRecord.map(([t, b]) => `${t} ${b.toFixed(0)}`).join(', ');
  log(`  WAL by record, f2c7dbb: ${records(before)}`);
  log(`  WAL by record, today:   ${records(after)}`);
  log(
    `  (the issue measured ${ISSUE_BEFORE.wal} WAL and ${ISSUE_BEFORE.storage} storage bytes at f2c7dbb through the API, FPIs included, with a smaller stored answer)`,
  );
  return { before, after };
}

/** `--big` (10,000,000 analyses) or `--big=N`: the opt-in fill of bench/usage-growth.ts; else null. */
function bigOption(argv: readonly string[]): number | null {
  const arg = argv.find((a) => a === '--big' || a.startsWith('--big='));
  if (!arg) return null;
  const n = arg === '--big' ? 10_000_000 : Number(arg.slice('--big='.length));
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--big=N wants a positive whole number, not ${arg}`);
  return n;
}

/** The write's steps of `npm run bench`, on a server of their own (WAL is per server). */
export async function benchWrite(argv: readonly string[]): Promise<void> {
  const big = bigOption(argv);
  await withBenchServer(async (server) => {
    await benchWriteCost(server);
    await benchUsageGrowth(server);
    if (big) await benchBig(server, big);
  });
}

// `npm run bench:write [-- --big[=N]]` runs these steps alone.
if (import.meta.main ?? process.argv[1]?.endsWith('bench/write-cost.ts')) {
  await benchWrite(process.argv.slice(2));
}
