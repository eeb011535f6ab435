/// <reference lib="dom" />
/**
 * The web app in a real browser against the real local stack: deleting a past analysis (with
 * its confirmation dialog), and names from the price feed that carry a right-to-left override
 * staying isolated from the text beside them (issue 19 items 5 and 7).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ISSUER, signAccessToken } from '../../local/issuer';
import { kinesisClient } from '../../local/kinesis';
import { freePort } from '../../local/ports';
import { publishTicks } from '../../local/publish';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { buildWeb } from '../../local/web/build';
import { checkScreen, launchBrowser, newPage, signIn } from '../helpers/browser';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../helpers/db';

const RLO = '\u202E';
const TICKS = [
  { symbol: 'TCS', name: 'Tata Consultancy Services', sector: 'IT', price: 4000, change_7d_pct: 1 },
  // A feed-provided name and sector with a right-to-left override (a hostile or broken feed).
  { symbol: 'EVIL', name: `${RLO}Evil Industries`, sector: `${RLO}Metals`, price: 100, change_7d_pct: 0 },
];

let dir = '';
let db: TestDatabase;
let stack: LocalStack;
let browser: Browser;
let users = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'web-history-test-'));
  await chmod(dir, 0o755);
  db = await createTestDatabase({ migrate: false });
  const dist = join(dir, 'dist');
  [, browser] = await Promise.all([buildWeb(dist), launchBrowser()]);
  stack = await startLocalStack({
    dir,
    port: await freePort(),
    kinesisPort: await freePort(),
    pgPort: 0,
    stream: 'price-ticks',
    databaseUrl: db.url,
    seedFile: null,
    webDist: dist,
    webDevPort: 5173,
    log: () => {},
  });
  const client = kinesisClient(stack.kinesisEndpoint);
  try {
    await publishTicks(
      client,
      'price-ticks',
      TICKS.map((t) => ({ data: JSON.stringify(t), partitionKey: t.symbol })),
    );
  } finally {
    client.destroy();
  }
  const bearer = await signAccessToken(stack.issuerKey, { sub: 'setup', issuer: LOCAL_ISSUER });
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${stack.apiUrl}/api/market`, { headers: { authorization: `Bearer ${bearer}` } });
    if (((await res.json()) as unknown[]).length === TICKS.length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('ticks did not arrive');
}, 110_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (db) await dropTestDatabase(db);
  await rm(dir, { recursive: true, force: true });
});

async function session() {
  const { page, problems } = await newPage(browser);
  await signIn(page, stack.apiUrl, `history-${++users}-${Date.now().toString(36)}`);
  return { page, problems };
}

async function analyzeOne(page: Page, symbol: string, quantity: number) {
  await page.getByRole('link', { name: 'Analyze', exact: true }).click();
  const form = page.getByRole('form', { name: 'Portfolio', exact: true });
  await form.getByRole('textbox', { name: 'Symbol', exact: true }).first().fill(symbol);
  await form.getByRole('spinbutton', { name: 'Quantity', exact: true }).first().fill(String(quantity));
  await form.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect
    .poll(() => page.getByRole('region', { name: 'Analysis', exact: true }).textContent())
    .toContain(`${symbol}`);
}

/** Texts on the page containing `mark` whose nearest element is not bidi-isolated. */
const unisolated = (page: Page, mark: string) =>
  page.evaluate((m) => {
    const bad: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent?.includes(m)) continue;
      const parent = node.parentElement;
      if (!parent || getComputedStyle(parent).unicodeBidi !== 'isolate') bad.push(node.textContent);
    }
    return bad;
  }, mark);

describe('past analyses', () => {
  it('deletes one after a confirmation dialog; Cancel keeps it; the bill keeps the charge', async () => {
    const { page, problems } = await session();
    await analyzeOne(page, 'TCS', 1);
    await analyzeOne(page, 'TCS', 2);
    await page.getByRole('link', { name: 'History', exact: true }).click();
    const past = page.getByRole('region', { name: 'Past analyses', exact: true });
    const items = past.getByRole('listitem');
    await expect.poll(() => items.count()).toBe(2);
    const newest = items.first();
    expect(await newest.textContent()).toContain('₹8,000.00');

    // Cancel: nothing is deleted, and the dialog is gone.
    await newest.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this analysis?', exact: true });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('₹8,000.00');
    expect(await dialog.textContent()).toContain('stays on your bill');
    await checkScreen(page, problems, 'delete analysis dialog');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await items.count()).toBe(2);

    // Escape closes it too, deleting nothing.
    await newest.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await items.count()).toBe(2);

    await newest.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.getByRole('button', { name: 'Delete analysis', exact: true }).click();
    await expect.poll(() => items.count()).toBe(1);
    expect(await items.first().textContent()).toContain('₹4,000.00');
    expect(await past.getByRole('status').textContent()).toMatch(/^Deleted the analysis of /);
    await checkScreen(page, problems, 'history after a deletion');

    // Gone after a reload too; the bill still has both analyses.
    await page.reload();
    await expect.poll(() => past.getByRole('listitem').count()).toBe(1);
    await page.getByRole('link', { name: 'Billing', exact: true }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('₹10.00');
  }, 90_000);
});

describe('names from the feed', () => {
  it('a right-to-left override in a stock name or sector is isolated wherever it is shown', async () => {
    const { page } = await session();
    await analyzeOne(page, 'EVIL', 1);
    const result = page.getByRole('region', { name: 'Analysis', exact: true });
    // The holdings table, the sector legend and the diversification advice (which names the sector).
    await expect.poll(() => result.textContent()).toContain(`${RLO}Evil Industries`);
    expect(await result.textContent()).toContain(`in 1 sector (${RLO}Metals)`);
    expect(await unisolated(page, RLO)).toEqual([]);

    await page.getByRole('link', { name: 'Market', exact: true }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain(`${RLO}Evil Industries`);
    expect(await unisolated(page, RLO)).toEqual([]);
  }, 90_000);
});
