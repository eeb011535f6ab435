/// <reference lib="dom" />
/**
 * The risk screens (SPEC §12) in Chromium against the real local stack: region "Risk" inside
 * "Analysis" with its measures and the "Portfolio value over …" chart, "Not enough history",
 * no region for analyses stored before risk existed, and "Price history of <SYMBOL>" in the
 * market screen. Every screen gets axe-core and the 390 px check.
 *
 * TO REPLACE AFTER THE MERGE: until the API serves `details.risk` (issue 18, analyze wiring) and
 * GET /api/market/{symbol}/history (issue 17), the browser's answers are intercepted
 * (`withRisk`, `serveHistory`) with blocks that match docs/openapi.json (the risk block is
 * validated against it below). Once both land, drop the interception and seed daily bars.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { LOCAL_ISSUER, signAccessToken } from '../../local/issuer';
import { kinesisClient } from '../../local/kinesis';
import { freePort } from '../../local/ports';
import { publishTicks } from '../../local/publish';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { buildWeb } from '../../local/web/build';
import { checkScreen, launchBrowser, newPage, signIn } from '../helpers/browser';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../helpers/db';
import { validateResponse } from '../helpers/openapi';

const IT = 'Information Technology';
const TICKS = [
  { symbol: 'TCS', name: 'Tata Consultancy Services', sector: IT, price: 4000 },
  { symbol: 'INFY', name: 'Infosys', sector: IT, price: 1500.5 },
];

/** 21 sessions (20 returns): the value climbs from ₹65,000 with a dip to ₹63,500, ends at ₹70,010. */
const SESSIONS = Array.from({ length: 21 }, (_, i) =>
  new Date(Date.UTC(2026, 9, 26) + i * 86_400_000).toISOString().slice(0, 10),
);
const VALUES = SESSIONS.map((_, i) => (i === 20 ? 70_010 : i === 5 ? 63_500 : 65_000 + i * 200));

interface Body {
  details: { per_stock: Array<Record<string, unknown>>; risk?: unknown };
}

let dir = '';
let shots = '';
let db: TestDatabase;
let stack: LocalStack;
let browser: Browser;
let base = '';
let userCount = 0;

async function session(): Promise<{ page: Page; problems: string[] }> {
  const user = `risk-${++userCount}-${Date.now().toString(36)}`;
  const { page, problems } = await newPage(browser);
  onTestFailed(async () => {
    const file = join(shots, `${user}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.error(`screenshot of the failed test: ${file}`);
  });
  await signIn(page, base, user);
  return { page, problems };
}

/**
 * Rewrite the real analyze answer (TO REPLACE after the merge, see the top): `edit` adds or
 * removes the risk block; the result must still be a response docs/openapi.json describes.
 */
async function interceptAnalyze(page: Page, edit: (body: Body) => void): Promise<void> {
  await page.route('**/api/analyze', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as Body;
    edit(body);
    const json = JSON.stringify(body);
    const problems = validateResponse('POST', '/api/analyze', {
      statusCode: response.status(),
      headers: { 'content-type': 'application/json' },
      body: json,
    });
    expect(problems, 'the intercepted analyze answer matches docs/openapi.json').toEqual([]);
    await route.fulfill({ response, body: json });
  });
}

const withRisk = (risk: Record<string, unknown>, shares: Record<string, number | null>) => (body: Body) => {
  body.details.risk = risk;
  for (const s of body.details.per_stock) s.risk_contribution_pct = shares[s.symbol as string] ?? null;
};

async function analyzeTcsAndInfy(page: Page) {
  const form = page.getByRole('form', { name: 'Portfolio', exact: true });
  await form.getByRole('textbox', { name: 'Symbol', exact: true }).first().fill('TCS');
  await form.getByRole('spinbutton', { name: 'Quantity', exact: true }).first().fill('10');
  await form.getByRole('button', { name: 'Add holding', exact: true }).click();
  await form.getByRole('textbox', { name: 'Symbol', exact: true }).nth(1).fill('INFY');
  await form.getByRole('spinbutton', { name: 'Quantity', exact: true }).nth(1).fill('20');
  await form.getByRole('button', { name: 'Analyze', exact: true }).click();
  const analysis = page.getByRole('region', { name: 'Analysis', exact: true });
  await expect.poll(() => analysis.textContent()).toContain('Portfolio value₹70,010.00');
  return analysis;
}

/** The text of the definition after the term `name` inside `scope`. */
const definitionOf = (scope: ReturnType<Page['getByRole']>, name: string) =>
  scope.locator('dt', { hasText: name }).locator('xpath=following-sibling::dd[1]').textContent();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'web-risk-test-'));
  await chmod(dir, 0o755);
  shots = await mkdtemp(join(tmpdir(), 'web-risk-screenshots-'));
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
  base = stack.apiUrl;
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
  const token = await signAccessToken(stack.issuerKey, { sub: 'setup', issuer: LOCAL_ISSUER });
  for (let i = 0; i < 300; i++) {
    const res = await fetch(`${base}/api/market`, { headers: { authorization: `Bearer ${token}` } });
    const rows = (await res.json().catch(() => [])) as unknown[];
    if (Array.isArray(rows) && rows.length === TICKS.length) return;
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

describe('portfolio risk in the web app', () => {
  it('shows region "Risk" inside "Analysis": the measures in words and the value chart', async () => {
    const { page, problems } = await session();
    await interceptAnalyze(
      page,
      withRisk(
        {
          sessions: 21,
          annualised_volatility: 0.2346,
          max_drawdown_pct: 4.12,
          effective_holdings: 1.96,
          largest_sector_weight: 1,
          value_series: SESSIONS.map((session, i) => ({ session, value: VALUES[i] })),
        },
        { TCS: 61.25, INFY: 38.75 },
      ),
    );
    const analysis = await analyzeTcsAndInfy(page);
    const risk = analysis.getByRole('region', { name: 'Risk', exact: true });
    expect(await definitionOf(risk, 'Annualised volatility')).toBe('23.5% a year');
    expect(await definitionOf(risk, 'Max drawdown')).toBe('4.12%');
    expect(await definitionOf(risk, 'Effective holdings')).toBe('1.96');
    expect(await risk.textContent()).toContain('How much your portfolio');
    expect(await risk.textContent()).toContain(
      "TCS carries 61.25% of your portfolio's risk (57.1% of its value)",
    );

    const chart = risk.getByRole('img', { name: /^Portfolio value over/ });
    expect(await chart.getAttribute('aria-label')).toBe(
      'Portfolio value over the last 21 sessions, 26 Oct 2026 to 15 Nov 2026: from ₹65,000.00 to ' +
        '₹70,010.00; lowest ₹63,500.00 on 31 Oct 2026; highest ₹70,010.00 on 15 Nov 2026.',
    );
    await chart.locator('canvas').waitFor(); // Chart.js arrived (lazily) and drew
    const rows = analysis.getByRole('table', { name: 'Holdings', exact: true }).getByRole('row');
    expect(await analysis.getByRole('columnheader', { name: 'Risk share', exact: true }).count()).toBe(1);
    expect(await rows.nth(1).textContent()).toMatch(/61\.3%$/);
    await checkScreen(page, problems, 'analysis with risk');
  }, 60_000);

  it('says "Not enough history" when too few sessions are common, and still measures concentration', async () => {
    const { page, problems } = await session();
    await interceptAnalyze(
      page,
      withRisk(
        {
          sessions: 12,
          annualised_volatility: null,
          max_drawdown_pct: null,
          effective_holdings: 1.96,
          largest_sector_weight: 1,
          value_series: SESSIONS.slice(9).map((session, i) => ({ session, value: VALUES[i + 9] })),
        },
        {},
      ),
    );
    const analysis = await analyzeTcsAndInfy(page);
    const risk = analysis.getByRole('region', { name: 'Risk', exact: true });
    expect(await definitionOf(risk, 'Annualised volatility')).toBe('Not enough history');
    expect(await definitionOf(risk, 'Max drawdown')).toBe('Not enough history');
    expect(await definitionOf(risk, 'Effective holdings')).toBe('1.96');
    expect(await risk.textContent()).toContain(
      'need 21 sessions with prices for every holding; there are 12',
    );
    expect(await risk.textContent()).not.toContain('carries');
    await checkScreen(page, problems, 'analysis with too little history');
  }, 60_000);

  it('shows no region "Risk" for an analysis stored before risk existed', async () => {
    const { page, problems } = await session();
    await interceptAnalyze(page, (body) => {
      delete body.details.risk;
      for (const s of body.details.per_stock) delete s.risk_contribution_pct;
    });
    const analysis = await analyzeTcsAndInfy(page);
    expect(await analysis.getByRole('region', { name: 'Risk', exact: true }).count()).toBe(0);
    expect(await analysis.getByRole('columnheader', { name: 'Risk share' }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows "Price history of <SYMBOL>" when a symbol is chosen in the market screen', async () => {
    const { page, problems } = await session();
    // TO REPLACE after the merge: the history API (issue 17) answers for itself then.
    const closes = [3900, 3850.5, 3990, 4010.25, 3800, 4000];
    await page.route(
      (url) => /^\/api\/market\/[^/]+\/history$/.test(url.pathname),
      (route) =>
        route.fulfill({
          json: {
            symbol: 'TCS',
            bars: closes.map((close, i) => ({
              session: `2026-11-${String(20 + i).padStart(2, '0')}`,
              open: close,
              high: close,
              low: close,
              close,
              volume: 1000,
              official: true,
              adjusted: false,
            })),
          },
        }),
    );
    const requested: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/history')) requested.push(new URL(r.url()).pathname + new URL(r.url()).search);
    });
    await page.getByRole('link', { name: 'Market', exact: true }).click();
    const table = page.getByRole('table', { name: 'Market', exact: true });
    await table.getByRole('button', { name: 'TCS price history', exact: true }).click();
    const chart = page.getByRole('img', { name: /^Price history of TCS/ });
    await chart.waitFor();
    expect(await chart.getAttribute('aria-label')).toBe(
      'Price history of TCS, 6 sessions from 20 Nov 2026 to 25 Nov 2026: first close ₹3,900.00 on ' +
        '20 Nov 2026; last close ₹4,000.00 on 25 Nov 2026; lowest ₹3,800.00 on 24 Nov 2026; ' +
        'highest ₹4,010.25 on 23 Nov 2026.',
    );
    // A set: the test build is React's development build, whose StrictMode mounts twice (the
    // first request is aborted).
    expect(new Set(requested)).toEqual(new Set(['/api/market/TCS/history?days=90']));
    await chart.locator('canvas').waitFor();
    // The history path is not in docs/openapi.json until issue 17 lands (then: no filter here).
    const notYetDocumented = (p: string) =>
      p === 'request not in docs/openapi.json: GET /api/market/TCS/history';
    const others = problems.filter((p) => !notYetDocumented(p));
    await checkScreen(page, others, 'market price history');

    await page.getByRole('button', { name: 'Close chart', exact: true }).click();
    expect(await page.getByRole('img', { name: /^Price history of/ }).count()).toBe(0);
  }, 60_000);
});
