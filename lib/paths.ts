import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: `lib/` lives directly under it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The lock file esbuild bundling is anchored to (NodejsFunction's `depsLockFilePath`). */
export const LOCK_FILE = path.join(REPO_ROOT, 'package-lock.json');

/** SQL migrations copied into the migration runner's bundle. */
export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'migrations');

/**
 * Absolute path of a handler module under `functions/` (`consumer` → `functions/consumer.ts`).
 * Throws with the module name when the file is missing, so a typo in `functions/routes.ts`
 * fails synth with a readable message instead of an esbuild error.
 */
export function functionEntry(name: string): string {
  const file = path.join(REPO_ROOT, 'functions', `${name}.ts`);
  if (!existsSync(file)) {
    throw new Error(`Lambda entry functions/${name}.ts does not exist`);
  }
  return file;
}
