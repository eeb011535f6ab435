/// <reference lib="dom" />
/**
 * The web app in a real browser against the real local stack: deleting a past analysis (with
 * its confirmation dialog), and names from the price feed that carry a right-to-left override
 * staying isolated from the text beside them (issue 19 items 5 and 7).
 */

import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adoptAnalysis } from '../../functions/billing/reconciliation-adopt-store';
import { analysisRegion, checkScreen, fillPortfolio } from '../helpers/browser';
import { useWebStack } from '../helpers/web-stack';

const RLO = '\u202E';
const TICKS = [
  { symbol: 'TCS', name: 'Tata Consultancy Services', sector: 'IT', price: 4000, change_7d_pct: 1 },
  // A feed-provided name and sector with a right-to-left override (a hostile or broken feed).
  { symbol: 'EVIL', name: `${RLO}Evil Industries`, sector: `${RLO}Metals`, price: 100, change_7d_pct: 0 },
];

const web = useWebStack({ name: 'history', ticks: TICKS });

async function analyzeOne(page: Page, symbol: string, quantity: number) {
  await page.getByRole('link', { name: 'Analyze', exact: true }).click();
  const form = await fillPortfolio(page, [[symbol, quantity]]);
  await form.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect.poll(() => analysisRegion(page).textContent()).toContain(`${symbol}`);
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
    const { page, problems } = await web.signedIn();
    await analyzeOne(page, 'TCS', 1);
    await analyzeOne(page, 'TCS', 2);
    await page.getByRole('link', { name: 'History', exact: true }).click();
    const past = page.getByRole('region', { name: 'Past analyses', exact: true });
    const items = past.getByRole('listitem');
    await expect.poll(() => items.count()).toBe(2);
    const newest = items.first();
    expect(await newest.textContent()).toContain('₹8,000.00');

    // Every DELETE the page sends, so a Cancel that deletes in the background shows at once.
    const deletes: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'DELETE') deletes.push(new URL(r.url()).pathname);
    });

    // Cancel: the dialog closes, nothing is deleted.
    await newest.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this analysis?', exact: true });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('₹8,000.00');
    expect(await dialog.textContent()).toContain('stays on your bill');
    await checkScreen(page, problems, 'delete analysis dialog');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await items.count()).toBe(2);
    expect(await newest.textContent()).toContain('₹8,000.00');

    // Escape closes it too, deleting nothing.
    await newest.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await items.count()).toBe(2);
    expect(deletes).toEqual([]);

    // Still both on the server: a reload lists them again (the list loads empty, then fills).
    const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/analyses');
    await page.reload();
    expect((await listed).status()).toBe(200);
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(2);
    expect(await newest.textContent()).toContain('₹8,000.00');
    expect(deletes).toEqual([]);

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

describe('an analysis restored from billing records', () => {
  it('is listed as restored, with its charge and no link to an answer that no longer exists', async () => {
    const { page, problems, user } = await web.signedIn();
    await analyzeOne(page, 'TCS', 1);
    // As the reconciliation's adoption records it after a database restore (docs/operations.md).
    const id = randomUUID();
    await adoptAnalysis(
      web.db.sql,
      {
        analysisId: id,
        customer: user,
        timestamp: new Date(Date.now() - 60_000),
        idempotencyKeySha256: null,
        events: [
          {
            eventId: `${id}:portfolio_analysis`,
            feature: 'portfolio_analysis',
            quantity: 1,
            unitPricePaise: '500',
          },
        ],
      },
      new Date(),
    );

    await page.getByRole('link', { name: 'History', exact: true }).click();
    const items = page.getByRole('region', { name: 'Past analyses', exact: true }).getByRole('listitem');
    await expect.poll(() => items.count()).toBe(2);
    const restored = items.nth(1);
    expect(await restored.textContent()).toContain('Restored from billing records');
    expect(await restored.textContent()).toContain('charged ₹5.00');
    expect(await restored.getByRole('link').count()).toBe(0);
    await checkScreen(page, problems, 'history with a restored analysis');
  }, 90_000);
});

describe('names from the feed', () => {
  it('a right-to-left override in a stock name or sector is isolated wherever it is shown', async () => {
    const { page } = await web.signedIn();
    await analyzeOne(page, 'EVIL', 1);
    const result = analysisRegion(page);
    // The holdings table, the sector legend and the diversification advice (which names the sector).
    await expect.poll(() => result.textContent()).toContain(`${RLO}Evil Industries`);
    expect(await result.textContent()).toContain(`in 1 sector (${RLO}Metals)`);
    expect(await unisolated(page, RLO)).toEqual([]);

    await page.getByRole('link', { name: 'Market', exact: true }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain(`${RLO}Evil Industries`);
    expect(await unisolated(page, RLO)).toEqual([]);
  }, 90_000);
});
