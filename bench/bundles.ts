/**
 * Bundle size and cold-start import time of every Lambda, built exactly as `cdk synth` builds
 * them (AppFunction's esbuild settings). Targets: ≤ 1 MB minified, ≤ 150 ms to import in a
 * fresh `node`. Usage: `npm run bench:bundles` (exit code 1 when a target is missed).
 * `runBundleBench()` is exported for bench/run.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App, AssetStaging } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { METRICS_NAMESPACE } from '../functions/platform/names';
import { AppFunction } from '../lib/constructs/app-function';
import { createStockConsultant } from '../lib/stock-consultant';
import { median } from './stats';

const run = promisify(execFile);

export const TARGET_BYTES = 1024 * 1024;
export const TARGET_INIT_MS = 150;

/** Plausible configuration so module-scope config parsing succeeds; nothing is contacted. */
const FAKE_LAMBDA_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'ap-south-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  NODE_OPTIONS: '--enable-source-maps',
  DB_SECRET_ARN: 'arn:aws:secretsmanager:ap-south-1:123456789012:secret:bench-AbCdEf',
  DB_HOST: 'proxy.bench.invalid',
  DB_PORT: '5432',
  DB_NAME: 'stocks',
  DB_PREPARE: 'false',
  COGNITO_USER_POOL_ID: 'ap-south-1_Bench1234',
  COGNITO_CLIENT_ID: 'benchclientid0000000000000',
  COGNITO_JWKS: JSON.stringify({
    keys: [{ kid: 'bench', kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB', n: 'x'.repeat(342) }],
  }),
  MIGRATIONS_DIR: '/nonexistent/migrations',
};

export interface BundleResult {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly initMs: number;
  readonly ok: boolean;
}

/** The staged asset directory (bundle output) of a function, once the app has bundled it. */
export function assetDir(fn: IConstruct): string {
  const staging = fn.node.findAll().find((c): c is AssetStaging => c instanceof AssetStaging);
  if (!staging) throw new Error(`${fn.node.path}: no bundled asset (was bundling skipped?)`);
  return staging.absoluteStagedPath;
}

/** The entry bundle inside an asset directory (`index.mjs` for ESM). */
export function bundleFile(dir: string): string {
  const entry = readdirSync(dir).find((f) => /^index\.m?js$/.test(f));
  if (!entry) throw new Error(`${dir}: no index.mjs`);
  return path.join(dir, entry);
}

/**
 * Imports `file` in a fresh `node` and returns how long the import took. Rejects with the
 * child's stderr if the import throws (e.g. "Dynamic require of X is not supported").
 */
export async function measureInit(file: string, env: Record<string, string> = {}): Promise<number> {
  const script = `const t=performance.now();await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(String(performance.now()-t));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...FAKE_LAMBDA_ENV, ...env },
    cwd: path.dirname(file),
    timeout: 30_000,
  });
  return Number(stdout);
}

/** Synthesizes the app with bundling on, then measures every AppFunction's bundle. */
export async function runBundleBench(runs = 5): Promise<BundleResult[]> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'bundles-'));
  try {
    const app = new App({ outdir });
    createStockConsultant(app);
    const fns = app.node.findAll().filter((c): c is AppFunction => c instanceof AppFunction);
    const results: BundleResult[] = [];
    for (const fn of fns) {
      const file = bundleFile(assetDir(fn));
      const bytes = statSync(file).size;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await measureInit(file));
      const initMs = median(times);
      results.push({
        name: fn.node.path,
        file: path.basename(file),
        bytes,
        initMs,
        ok: bytes <= TARGET_BYTES && initMs <= TARGET_INIT_MS,
      });
    }
    return results;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results = await runBundleBench();
  const rows = results.map((r) => ({
    function: r.name,
    'size KB': (r.bytes / 1024).toFixed(1),
    'init ms (median of 5)': r.initMs.toFixed(1),
    [`≤${TARGET_BYTES / 1024 / 1024} MB, ≤${TARGET_INIT_MS} ms`]: r.ok ? 'ok' : 'MISSED',
  }));
  console.table(rows);
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
