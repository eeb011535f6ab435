/**
 * What the soak reads from the system under load, all read-only: the API process's memory after
 * a forced GC (local/admin.ts), the database's size and outbox backlog, the prices the API serves
 * for the soak's symbols, and at the end `npm run check-ledger`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { PG_CLIENT_DEFAULTS } from '../../../functions/platform/pg-options';
import { ROOT } from '../../../local/stack';
import type { Target } from './target';
import { SOAK_SYMBOLS } from './ticks';

export interface Memory {
  rss: number;
  heapUsed: number;
}

/** The API process's memory after a forced GC (local/admin.ts); null when unavailable. */
export async function memoryAfterGc(adminUrl: string): Promise<Memory | null> {
  try {
    const res = await fetch(`${adminUrl}/gc`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    return res.ok ? ((await res.json()) as Memory) : null;
  } catch {
    return null;
  }
}

/** Read-only SQL probes; each is null when it cannot be answered (the schema may have moved on). */
export function databaseProbes(databaseUrl: string) {
  const sql = postgres(databaseUrl, { ...PG_CLIENT_DEFAULTS, max: 1, connect_timeout: 5 });
  const one = async (query: string): Promise<number | null> => {
    try {
      const [row] = await sql.unsafe<{ v: string | number }[]>(query);
      return row ? Number(row.v) : null;
    } catch {
      return null;
    }
  };
  return {
    databaseBytes: () => one('SELECT pg_database_size(current_database()) AS v'),
    outboxPending: () => one(`SELECT count(*) AS v FROM billing_outbox WHERE status = 'pending'`),
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * `npm run check-ledger` against the database: whether it passed, and the last lines it printed.
 * It connects as the application role, with the password `npm start` keeps in its LOCAL_DIR.
 */
export async function ledgerCheck(
  databaseUrl: string,
  localDir: string,
): Promise<{ ok: boolean; output: string }> {
  const tail = (text: string) => text.trim().split('\n').slice(-20).join('\n');
  try {
    const { stdout } = await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/tsx'),
      [join(ROOT, 'scripts/check-ledger.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, LOCAL_DIR: localDir },
        timeout: 180_000,
      },
    );
    return { ok: true, output: tail(stdout) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: tail(`${e.stdout ?? ''}\n${e.stderr ?? ''}`) || e.message };
  }
}

/** How many of the soak's symbols the API serves, and their newest tick time (ms). */
export async function soakPrices(
  target: Target,
  token: string,
): Promise<{ count: number; newest: number | null }> {
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
