/// <reference lib="dom" />
/**
 * The browser side of the web tests: Chromium from @sparticuz/chromium driven by
 * playwright-core, signing in through the local issuer's page, and the checks every screen
 * gets (axe-core: no serious or critical violation; no sideways scrolling at 390 px).
 */

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import sparticuz from '@sparticuz/chromium';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { openapi } from './openapi';

/** The operations docs/openapi.json describes, as matchers of `METHOD /path`. */
const OPERATIONS = Object.entries(openapi.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((method) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
    .map((method) => new RegExp(`^${method.toUpperCase()} ${path.replace(/\{\w+\}/g, '[^/]+')}$`)),
);

/** True if the API request `METHOD /path` is one the OpenAPI document describes. */
const describedByOpenApi = (request: string) => OPERATIONS.some((op) => op.test(request));

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await sparticuz.executablePath(), args: sparticuz.args });
}

let axeSource: string | undefined;
async function axe(): Promise<string> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/**
 * A new page in a fresh context (its own sessionStorage), recording CSP violations and page
 * errors, which the screen checks then assert are absent.
 */
export async function newPage(browser: Browser): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Every call the app makes to the API must be an operation of docs/openapi.json.
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!/^\/(api|health)(\/|$)/.test(url.pathname)) return;
    const request = `${r.method()} ${url.pathname}`;
    if (!describedByOpenApi(request)) problems.push(`request not in docs/openapi.json: ${request}`);
  });
  return { page, problems };
}

/** From the app's landing page through the local sign-in page and back, signed in. */
export async function signIn(page: Page, baseUrl: string, username: string, admin = false): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await signInFromHere(page, username, admin);
}

/** From a screen that offers "Sign in" (the landing page, an expired session) back, signed in. */
export async function signInFromHere(page: Page, username: string, admin = false): Promise<void> {
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(username);
  if (admin) await page.getByRole('checkbox', { name: 'Administrator', exact: true }).check();
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
}

/** Types `[symbol, quantity]` rows into the "Portfolio" form from its first row; returns the form. */
export async function fillPortfolio(page: Page, holdings: Array<[string, number | string]>) {
  const form = page.getByRole('form', { name: 'Portfolio', exact: true });
  for (const [i, [symbol, quantity]] of holdings.entries()) {
    if (i > 0) await form.getByRole('button', { name: 'Add holding', exact: true }).click();
    await form.getByRole('textbox', { name: 'Symbol', exact: true }).nth(i).fill(symbol);
    await form.getByRole('spinbutton', { name: 'Quantity', exact: true }).nth(i).fill(String(quantity));
  }
  return form;
}

/** The region "Analysis": the result of an analysis, new or stored. */
export const analysisRegion = (page: Page) => page.getByRole('region', { name: 'Analysis', exact: true });

/** axe-core on the page as it is now: no serious or critical violation. */
async function expectAccessible(page: Page, screen: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (an injected
  // <script> would be refused, as it should be).
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await axe());
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run(
          context: unknown,
          options: unknown,
        ): Promise<{
          violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
        }>;
      };
    };
    const result = await w.axe.run(document, {
      resultTypes: ['violations'],
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations, `axe on ${screen}`).toEqual([]);
}

/** At 390 px the page never scrolls sideways (wide tables scroll inside their own box). */
async function expectFitsPhone(page: Page, screen: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.setViewportSize({ width: 390, height: 844 });
  const width = await page.evaluate(() => document.scrollingElement?.scrollWidth ?? 0);
  await saveScreenshot(page, `${screen}-390`);
  await page.setViewportSize(size);
  await saveScreenshot(page, `${screen}-desktop`);
  expect(width, `page width of ${screen} at 390 px`).toBeLessThanOrEqual(390);
}

/**
 * With WEB_SCREENSHOTS=<folder>, every checked screen is saved at 390 px and at desktop width,
 * so a person can look at all of them (`WEB_SCREENSHOTS=/tmp/shots npx vitest run test/web`).
 */
async function saveScreenshot(page: Page, name: string): Promise<void> {
  const folder = process.env.WEB_SCREENSHOTS;
  if (!folder) return;
  await page.screenshot({ path: `${folder}/${name.replace(/[^a-z0-9-]+/gi, '-')}.png`, fullPage: true });
}

/** Both checks, plus no CSP violation or script error so far. */
export async function checkScreen(page: Page, problems: string[], screen: string): Promise<void> {
  await expectAccessible(page, screen);
  await expectFitsPhone(page, screen);
  expect(problems, `console on ${screen}`).toEqual([]);
}
