/**
 * The web app's figures, printed, never asserted: initial JavaScript (gzipped) of web/dist,
 * time from navigation to a usable portfolio editor, and from "Analyze" to the result, in
 * headless Chromium against a running local stack. `npm run bench` calls `benchWeb`; run alone
 * (`npm run bench:web [-- --screenshot docs/web-result.png]`) it starts `npm start` itself.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import sparticuz from '@sparticuz/chromium';
import { chromium, type Page } from 'playwright-core';
import { freePort } from '../local/ports';
import { startStackProcess } from '../local/stack-process';
import { WEB_DIST } from '../local/web/build';
import { median } from './stats';

const INITIAL_JS_TARGET_BYTES = 150 * 1024;

/** Gzipped bytes of the scripts index.html loads before anything else (entry + modulepreloads). */
async function initialJsBytes(dist = WEB_DIST): Promise<{ files: string[]; gzipBytes: number }> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
  ].map((m) => m[1] ?? '');
  let gzipBytes = 0;
  for (const file of files) gzipBytes += gzipSync(await readFile(join(dist, file))).length;
  return { files, gzipBytes };
}

async function signIn(page: Page, baseUrl: string) {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill('bench-web');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
}

export async function benchWeb(options: {
  baseUrl: string;
  runs?: number;
  screenshot?: string;
}): Promise<void> {
  const { gzipBytes, files } = await initialJsBytes();
  console.log(
    `web: initial JS ${(gzipBytes / 1024).toFixed(1)} KiB gzipped (${files.length} file${files.length === 1 ? '' : 's'}; target ≤ ${INITIAL_JS_TARGET_BYTES / 1024} KiB)`,
  );
  const browser = await chromium.launch({
    executablePath: await sparticuz.executablePath(),
    args: sparticuz.args,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, options.baseUrl);
    const usable: number[] = [];
    const analyzed: number[] = [];
    for (let i = 0; i < (options.runs ?? 5); i++) {
      await page.evaluate(() => sessionStorage.removeItem('stock-consultant.draft')); // start empty
      const start = performance.now();
      await page.goto(`${options.baseUrl}/`);
      const symbol = page.getByRole('textbox', { name: 'Symbol', exact: true }).first();
      await symbol.waitFor();
      usable.push(performance.now() - start);
      await symbol.fill('TCS');
      await page.getByRole('spinbutton', { name: 'Quantity', exact: true }).first().fill('10');
      await page.getByRole('button', { name: 'Add holding', exact: true }).click();
      await page.getByRole('textbox', { name: 'Symbol', exact: true }).nth(1).fill('HDFCBANK');
      await page.getByRole('spinbutton', { name: 'Quantity', exact: true }).nth(1).fill('25');
      const clicked = performance.now();
      await page.getByRole('button', { name: 'Analyze', exact: true }).click();
      await page
        .getByRole('region', { name: 'Analysis', exact: true })
        .waitFor()
        .catch(async (error: unknown) => {
          await page.screenshot({ path: join(tmpdir(), 'bench-web-failure.png'), fullPage: true });
          throw error;
        });
      analyzed.push(performance.now() - clicked);
    }
    console.log(
      `web: navigation → usable portfolio editor, median ${median(usable).toFixed(0)} ms (${usable.length} runs, signed in)`,
    );
    console.log(
      `web: Analyze → result on screen, median ${median(analyzed).toFixed(0)} ms (${analyzed.length} runs)`,
    );
    if (options.screenshot) {
      await page
        .getByRole('img', { name: /^Sector allocation/ })
        .locator('canvas')
        .waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: options.screenshot, fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: options.screenshot.replace(/\.png$/, '-390.png'), fullPage: true });
      console.log(`web: screenshots ${options.screenshot} (1280 px) and …-390.png (phone)`);
    }
  } finally {
    await browser.close();
  }
}

if (import.meta.main ?? process.argv[1]?.endsWith('bench/web.ts')) {
  const { values } = parseArgs({ options: { screenshot: { type: 'string' } } });
  const dir = await mkdtemp(join(tmpdir(), 'bench-web-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  const stack = await startStackProcess({
    LOCAL_DIR: dir,
    PORT: String(port),
    KINESIS_PORT: String(await freePort()),
    PG_PORT: String(await freePort()),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${baseUrl}/health`);
      const body = (await res.json()) as { prices?: { count?: number } };
      if ((body.prices?.count ?? 0) >= 50) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await benchWeb({ baseUrl, screenshot: values.screenshot });
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
