/// <reference lib="dom" />
/**
 * The risk screens (SPEC §12) in Chromium against the real local stack and its real API: region
 * "Risk" inside "Analysis" with its measures and the "Portfolio value over …" chart, "Not enough
 * history", no region for an analysis stored before risk existed, and "Price history of
 * <SYMBOL>" in the market screen. Prices arrive as ticks through the stream; the daily bars
 * before today are written into the stack's database as the bhavcopy import writes them. Every
 * screen gets axe-core and the 390 px check.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { decodeAnalysis } from '../../functions/analysis/stored-answer';
import { requestHash } from '../../functions/core/portfolio';
import { analysisRegion, checkScreen, fillPortfolio } from '../helpers/browser';
import { useWebStack } from '../helpers/web-stack';
import { insertBars, weekdays } from '../market/fixtures';

const IT = 'Information Technology';
/**
 * The ticks carry this time, so today's session is its IST date whenever they arrive (read from
 * the real clock once: the market screen's 90-day window is the server's): a run near IST
 * midnight cannot put the ticks on another day than the bars before them expect.
 */
const SENT = new Date();
const TODAY = new Date(SENT.getTime() + 5.5 * 3_600_000).toISOString().slice(0, 10); // its IST date
const TICKS = [
  { symbol: 'TCS', name: 'Tata Consultancy Services', sector: IT, price: 4000 },
  { symbol: 'INFY', name: 'Infosys', sector: IT, price: 1500.5 },
  { symbol: 'NEWCO', name: 'New Company', sector: 'Energy', price: 250 },
].map((tick) => ({ ...tick, ts: SENT.toISOString() }));

// 20 weekdays of bars before today's session.
const SESSIONS = weekdays(
  new Date(Date.parse(`${TODAY}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10),
  20,
);
/**
 * 10 TCS + 20 INFY: INFY stays at 1,500.50 (₹30,010), TCS makes the value climb from ₹65,000
 * by ₹200 a session with a dip to ₹63,500 on the 6th; today's prices make it ₹70,010.
 */
const VALUES = [...SESSIONS.map((_, i) => (i === 5 ? 63_500 : 65_000 + i * 200)), 70_010];
const TCS_CLOSES = VALUES.slice(0, -1).map((v) => (v - 30_010) / 10);

/** SPEC §12's annualised volatility of VALUES, computed here: sample sd of log returns × √252. */
function annualisedVolatility(values: number[]): number {
  const r = values.slice(1).map((v, t) => Math.log(v / (values[t] as number)));
  const mean = r.reduce((s, x) => s + x, 0) / r.length;
  const variance = r.reduce((s, x) => s + (x - mean) ** 2, 0) / (r.length - 1);
  return Number((Math.sqrt(variance) * Math.sqrt(252)).toPrecision(4));
}

const dateOnly = new Intl.DateTimeFormat('en-IN', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const day = (session: string) => dateOnly.format(new Date(`${session}T00:00:00Z`));

const web = useWebStack({
  name: 'risk',
  ticks: TICKS,
  seed: async (db) => {
    const tcs = SESSIONS.map((session, i) => ({ session, close: TCS_CLOSES[i] as number }));
    await insertBars(db.sql, 'TCS', tcs);
    await insertBars(
      db.sql,
      'INFY',
      SESSIONS.map((session) => ({ session, close: 1500.5 })),
    );
    await insertBars(
      db.sql,
      'NEWCO',
      SESSIONS.slice(-5).map((session) => ({ session, close: 250 })),
    );
  },
});

/** Analyze 10 TCS and `quantity` of `other` in the editor; resolves with the Analysis region and the answer. */
async function analyzeTcsAnd(page: Page, other: string, quantity: number, value: string) {
  const form = await fillPortfolio(page, [
    ['TCS', 10],
    [other, quantity],
  ]);
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/analyze'));
  await form.getByRole('button', { name: 'Analyze', exact: true }).click();
  const body = (await (await answer).json()) as { analysis_id: string };
  const analysis = analysisRegion(page);
  await expect.poll(() => analysis.textContent()).toContain(`Portfolio value${value}`);
  return { analysis, id: body.analysis_id };
}

/** The text of the definition after the term `name` inside `scope`. */
const definitionOf = (scope: ReturnType<Page['getByRole']>, name: string) =>
  scope.locator('dt', { hasText: name }).locator('xpath=following-sibling::dd[1]').textContent();

describe('portfolio risk in the web app', () => {
  it('shows region "Risk" inside "Analysis": the measures in words and the value chart', async () => {
    const { page, problems } = await web.signedIn();
    const { analysis } = await analyzeTcsAnd(page, 'INFY', 20, '₹70,010.00');
    const risk = analysis.getByRole('region', { name: 'Risk', exact: true });
    const volatility = annualisedVolatility(VALUES);
    expect(await definitionOf(risk, 'Annualised volatility')).toBe(
      `${(volatility * 100).toFixed(1)}% a year`,
    );
    // From the peak of ₹65,800 on the 5th session to ₹63,500 on the 6th: 3.4954… %.
    expect(await definitionOf(risk, 'Max drawdown')).toBe('3.50%');
    // 1 / (0.5713² + 0.4287²)
    expect(await definitionOf(risk, 'Effective holdings')).toBe('1.96');
    expect(await risk.textContent()).toContain('How much your portfolio');
    // INFY never moved: all of the variance is TCS's.
    expect(await risk.textContent()).toContain(
      "TCS carries 100.00% of your portfolio's risk (57.1% of its value)",
    );

    const chart = risk.getByRole('img', { name: /^Portfolio value over/ });
    expect(await chart.getAttribute('aria-label')).toBe(
      `Portfolio value over the last 21 sessions, ${day(SESSIONS[0] as string)} to ${day(TODAY)}: from ₹65,000.00 to ` +
        `₹70,010.00; lowest ₹63,500.00 on ${day(SESSIONS[5] as string)}; highest ₹70,010.00 on ${day(TODAY)}.`,
    );
    await chart.locator('canvas').waitFor(); // Chart.js arrived (lazily) and drew
    const rows = analysis.getByRole('table', { name: 'Holdings', exact: true }).getByRole('row');
    expect(await analysis.getByRole('columnheader', { name: 'Risk share', exact: true }).count()).toBe(1);
    expect(await rows.nth(1).textContent()).toMatch(/100\.0%$/);
    expect(await rows.nth(2).textContent()).toMatch(/0\.0%$/);
    await checkScreen(page, problems, 'analysis with risk');
  }, 60_000);

  it('says "Not enough history" when too few sessions are common, and still measures concentration', async () => {
    const { page, problems } = await web.signedIn();
    // NEWCO has 5 bars: 6 common sessions with today.
    const { analysis } = await analyzeTcsAnd(page, 'NEWCO', 30, '₹47,500.00');
    const risk = analysis.getByRole('region', { name: 'Risk', exact: true });
    expect(await definitionOf(risk, 'Annualised volatility')).toBe('Not enough history');
    expect(await definitionOf(risk, 'Max drawdown')).toBe('Not enough history');
    // Weights 40,000 / 47,500 and 7,500 / 47,500: 1 / (0.8421² + 0.1579²)
    expect(await definitionOf(risk, 'Effective holdings')).toBe('1.36');
    expect(await risk.textContent()).toContain('need 21 sessions with prices for every holding; there are 6');
    expect(await risk.textContent()).not.toContain('carries');
    await checkScreen(page, problems, 'analysis with too little history');
  }, 60_000);

  it('shows no region "Risk" for an analysis stored before risk existed', async () => {
    const { page, problems } = await web.signedIn();
    const { id } = await analyzeTcsAnd(page, 'INFY', 20, '₹70,010.00');
    // What an analysis stored before issue 18 holds: no details.risk, no risk_contribution_pct, and
    // (before migrations/0013) the answer as JSON in `response`, the holdings in `portfolio`.
    const [row] = await web.db.sql<[{ answer: Buffer }]>`SELECT answer FROM analyses WHERE id = ${id}`;
    const stored = decodeAnalysis((row as { answer: Buffer }).answer, id);
    const old = stored.body as unknown as {
      details: { risk?: unknown; per_stock: Record<string, unknown>[] };
    };
    delete old.details.risk;
    for (const s of old.details.per_stock) delete s.risk_contribution_pct;
    await web.db.sql`
      UPDATE analyses SET response = ${JSON.stringify(old)}::text::json, answer = NULL,
                          portfolio = ${JSON.stringify(stored.holdings)}::text::jsonb,
                          request_hash = ${requestHash(stored.holdings)}
      WHERE id = ${id}`;

    await page.getByRole('link', { name: 'History', exact: true }).click();
    await page.locator(`#analysis-${id}`).click();
    const analysis = analysisRegion(page);
    await expect.poll(() => analysis.textContent()).toContain('Portfolio value₹70,010.00');
    expect(await analysis.getByRole('region', { name: 'Risk', exact: true }).count()).toBe(0);
    expect(await analysis.getByRole('columnheader', { name: 'Risk share' }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows "Price history of <SYMBOL>" when a symbol is chosen in the market screen', async () => {
    const { page, problems } = await web.signedIn();
    const requested: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/history')) requested.push(new URL(r.url()).pathname + new URL(r.url()).search);
    });
    await page.getByRole('link', { name: 'Market', exact: true }).click();
    const table = page.getByRole('table', { name: 'Market', exact: true });
    await table.getByRole('button', { name: 'TCS price history', exact: true }).click();
    const chart = page.getByRole('img', { name: /^Price history of TCS/ });
    await chart.waitFor();
    // The 20 imported bars and today's, built by the consumer from the tick.
    expect(await chart.getAttribute('aria-label')).toBe(
      `Price history of TCS, 21 sessions from ${day(SESSIONS[0] as string)} to ${day(TODAY)}: first close ` +
        `₹3,499.00 on ${day(SESSIONS[0] as string)}; last close ₹4,000.00 on ${day(TODAY)}; lowest ₹3,349.00 ` +
        `on ${day(SESSIONS[5] as string)}; highest ₹4,000.00 on ${day(TODAY)}.`,
    );
    // A set: the test build is React's development build, whose StrictMode mounts twice (the
    // first request is aborted).
    expect(new Set(requested)).toEqual(new Set(['/api/market/TCS/history?days=90']));
    await chart.locator('canvas').waitFor();
    await checkScreen(page, problems, 'market price history');

    await page.getByRole('button', { name: 'Close chart', exact: true }).click();
    expect(await page.getByRole('img', { name: /^Price history of/ }).count()).toBe(0);
  }, 60_000);
});
