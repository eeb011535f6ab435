/**
 * Finds the built web app (`web/dist`) for `cdk synth`. A fresh checkout has none: it is built
 * with `npm run web:build` on the spot, so `npx cdk synth` works offline with nothing done by
 * hand. Stacks that are not being bundled (`aws:cdk:bundling-stacks`, as in unit tests and
 * `cdk deploy <other stack>`) get a placeholder page instead, the way NodejsFunction skips
 * esbuild for them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { REPO_ROOT } from './paths';

/** Where `npm run web:build` writes the app. */
export const WEB_DIST = path.join(REPO_ROOT, 'web', 'dist');
const WEB_BUILD_COMMAND = 'npm run web:build';

const PLACEHOLDER = '<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>';

/** Runs `npm run web:build` (output to stderr: the CDK CLI reads the app's stdout); true if it succeeded. */
function runWebBuild(): boolean {
  process.stderr.write(`web/dist is missing: running \`${WEB_BUILD_COMMAND}\`\n`);
  const result = spawnSync('npm', ['run', 'web:build'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  return result.status === 0;
}

/**
 * The folder to deploy for `stack`: `dir` once it holds an index.html. When it does not and
 * the stack is being bundled, `build` makes it (by default only for WEB_DIST); if that fails,
 * synth stops with an error that names the command to run.
 */
export function resolveWebDist(
  stack: Stack,
  dir: string = WEB_DIST,
  build: (() => boolean) | undefined = path.resolve(dir) === WEB_DIST ? runWebBuild : undefined,
): string {
  const ready = () => existsSync(path.join(dir, 'index.html'));
  if (ready()) return dir;
  if (!stack.bundlingRequired) {
    const placeholder = mkdtempSync(path.join(tmpdir(), 'web-placeholder-'));
    writeFileSync(path.join(placeholder, 'index.html'), PLACEHOLDER);
    return placeholder;
  }
  if (!build) throw new Error(`${dir}/index.html is missing: build the web app first`);
  if (!build() || !ready()) {
    throw new Error(
      `${path.relative(REPO_ROOT, dir) || dir}/index.html is missing and \`${WEB_BUILD_COMMAND}\` did not produce it: ` +
        `run \`npm ci && ${WEB_BUILD_COMMAND}\` in ${REPO_ROOT}, fix what it reports, and synth again.`,
    );
  }
  return dir;
}
