/**
 * Building web/ with Vite from Node: `npm start` rebuilds when a source is newer than the
 * build; tests build into a folder of their own.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ROOT } from '../stack';

const WEB_DIR = join(ROOT, 'web');
export const WEB_DIST = join(WEB_DIR, 'dist');

/** Newest modification time (ms) of the app's sources: web/ without its build and tests. */
async function newestSource(dir = WEB_DIR): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (dir === WEB_DIR && (entry.name === 'dist' || entry.name === 'test')) continue;
      newest = Math.max(newest, await newestSource(path));
    } else newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/** Why `dist` must be (re)built, or null when it is up to date. */
async function staleReason(dist = WEB_DIST): Promise<string | null> {
  const built = await stat(join(dist, 'index.html')).then(
    (s) => s.mtimeMs,
    () => null,
  );
  if (built === null) return `${dist} does not exist yet`;
  return (await newestSource()) > built ? `web/ sources are newer than ${dist}` : null;
}

/** Build the app into `outDir` (built next to it, then swapped in, so a reader never sees half a build). */
export async function buildWeb(outDir = WEB_DIST): Promise<void> {
  const { build } = await import('vite');
  const temp = join(dirname(outDir), `.dist-${process.pid}-${Date.now()}`);
  await build({
    configFile: join(WEB_DIR, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: temp, emptyOutDir: true },
  });
  const old = `${temp}-old`;
  await rename(outDir, old).catch(() => {});
  await rename(temp, outDir);
  await rm(old, { recursive: true, force: true });
}

/** Build web/dist if it is missing or older than its sources; say so through `log`. */
export async function ensureWebBuilt(log: (line: string) => void, dist = WEB_DIST): Promise<void> {
  const reason = await staleReason(dist);
  if (!reason) return;
  log(`web        building the web app (${reason})…`);
  const started = Date.now();
  await buildWeb(dist);
  log(`web        built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
