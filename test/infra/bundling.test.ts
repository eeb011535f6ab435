/**
 * The one test that bundles for real (esbuild, no Docker): the consumer and the migration
 * runner, as `cdk synth` builds them. It proves the ESM bundles load in a fresh Node process
 * (no "Dynamic require of X is not supported") and that the migrations ship with the runner.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetDir, bundleFile, measureInit, TARGET_BYTES } from '../../bench/bundles';
import { createStockConsultant, type StockConsultant } from '../../lib/stock-consultant';

describe('real bundling', () => {
  let outdir: string;
  let built: StockConsultant;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'cdk-bundling-'));
    // Bundle only the two stacks whose functions this test loads.
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': ['StockConsultant-dev-Data', 'StockConsultant-dev-Ingest'] },
    });
    built = createStockConsultant(app);
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles the consumer as minified ESM with a source map, under 1 MB, and it loads', async () => {
    const dir = assetDir(built.ingest.consumer);
    const file = bundleFile(dir);
    expect(path.basename(file)).toBe('index.mjs');
    expect(existsSync(`${file}.map`)).toBe(true);
    expect(statSync(file).size).toBeLessThanOrEqual(TARGET_BYTES);
    await expect(measureInit(file)).resolves.toBeGreaterThan(0);
  }, 60_000);

  it('ships migrations/*.sql inside the migration runner bundle, and it loads', async () => {
    const dir = assetDir(built.data.migrations.function);
    const repoMigrations = readdirSync(path.resolve(import.meta.dirname, '../../migrations')).filter((f) =>
      f.endsWith('.sql'),
    );
    expect(repoMigrations.length).toBeGreaterThan(0);
    expect(readdirSync(path.join(dir, 'migrations')).sort()).toEqual(expect.arrayContaining(repoMigrations));
    await expect(measureInit(bundleFile(dir))).resolves.toBeGreaterThan(0);
  }, 60_000);
});
