/// <reference lib="dom" />
/**
 * The web app in a real browser against the real local stack (embedded PostgreSQL, kinesalite,
 * poller, API, local OIDC issuer), used as an investor would: by role and accessible name.
 * Each test signs in as a user of its own, so they pass alone and in any order. Every screen
 * gets axe-core and a 390 px check; a failing test leaves a screenshot in a temp folder.
 */
import { describe, expect, it } from 'vitest';
import { analysisRegion as analysis, checkScreen, fillPortfolio, signInFromHere } from '../helpers/browser';
import { useWebStack } from '../helpers/web-stack';

const IT = 'Information Technology';
const TICKS = [
  {
    symbol: 'TCS',
    name: 'Tata Consultancy Services',
    sector: IT,
    price: 4000,
    change_1d_pct: 0.5,
    change_7d_pct: 1,
    volatility: 0.01,
  },
  {
    symbol: 'INFY',
    name: 'Infosys',
    sector: IT,
    price: 1500.5,
    change_1d_pct: -1,
    change_7d_pct: -6,
    volatility: 0.02,
  },
  {
    symbol: 'HDFCBANK',
    name: 'HDFC Bank',
    sector: 'Banking',
    price: 1600,
    change_1d_pct: 1,
    change_7d_pct: 6,
    volatility: 0.05,
  },
  {
    symbol: 'WIPRO',
    name: 'Wipro',
    sector: IT,
    price: 500,
    change_1d_pct: 0,
    change_7d_pct: 0,
    volatility: 0.01,
  },
];

const web = useWebStack({ name: 'app', ticks: TICKS });

describe('the web app', () => {
  it('signs in through the local issuer, analyzes a typed portfolio in exact INR, and signs out', async () => {
    const { page, problems } = await web.openPage('asha');
    await page.goto(`${web.base}/`);
    await checkScreen(page, problems, 'landing page');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('textbox', { name: 'Username', exact: true }).waitFor();
    await checkScreen(page, problems, 'local sign-in page');
    await page.getByRole('textbox', { name: 'Username', exact: true }).fill('asha');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();

    // No code or state left in the address bar; tokens in sessionStorage, never localStorage.
    expect(page.url()).toBe(`${web.base}/`);
    const storage = await page.evaluate(() => ({
      local: localStorage.length,
      session: Object.keys(sessionStorage),
    }));
    expect(storage.local).toBe(0);
    expect(storage.session.some((k) => k.startsWith('oidc.user:'))).toBe(true);
    await expect.poll(() => page.getByRole('banner').textContent()).toContain('asha');
    await checkScreen(page, problems, 'empty portfolio editor');

    const keys: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/analyze')) keys.push(r.headers()['idempotency-key'] ?? '');
    });
    const form = await fillPortfolio(page, [
      ['tcs', 10],
      ['INFY', 20],
    ]);
    await form.getByRole('button', { name: 'Analyze', exact: true }).click();
    const result = analysis(page);
    await expect.poll(() => result.textContent()).toContain('Portfolio value₹70,010.00');
    expect(await result.textContent()).toContain('Charged₹11.00');
    const advice = result.getByRole('list', { name: 'Advice', exact: true }).getByRole('listitem');
    expect(await advice.allTextContents()).toEqual([
      expect.stringMatching(/^TCSReduce.*57\.1/),
      expect.stringMatching(/^INFYReduce.*-6/),
      expect.stringMatching(/^PORTFOLIODiversify/),
    ]);
    const rows = result.getByRole('table', { name: 'Holdings', exact: true }).getByRole('row');
    // The last cell is the holding's risk share: "—" here, where no daily history exists.
    expect(await rows.nth(1).textContent()).toBe(
      'TCSTata Consultancy Services10₹4,000.00₹40,000.0057.1%+1.00%—',
    );
    expect(await rows.nth(2).textContent()).toBe('INFYInfosys20₹1,500.50₹30,010.0042.9%\u22126.00%—');
    await expect
      .poll(() => result.getByRole('img').first().getAttribute('aria-label'))
      .toBe(`Sector allocation: ${IT} 100.0%`);
    expect(await result.textContent()).toContain('not a SEBI-registered');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    await checkScreen(page, problems, 'analysis result');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    const after = await page.evaluate(() => Object.keys(sessionStorage));
    expect(after.filter((k) => k.startsWith('oidc.user:'))).toEqual([]);
  }, 60_000);

  it('loads a CSV file into the editor, and reports a bad line by number without sending anything', async () => {
    const { page, problems } = await web.signedIn('investor');
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/analyze')) sent.push(r.url());
    });
    const form = page.getByRole('form', { name: 'Portfolio', exact: true });
    const upload = form.getByLabel('Upload CSV', { exact: true });
    await upload.setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('TCS,10\nINFY,abc\n'),
    });
    await expect
      .poll(() => form.textContent())
      .toContain('bad.csv: Line 2: enter the quantity as a whole number');
    expect(await upload.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('textbox', { name: 'Symbol', exact: true }).count()).toBe(1);
    await checkScreen(page, problems, 'bad CSV');

    const good = 'symbol,quantity\nTCS,10\nHDFCBANK,25\nNOPE,5\n';
    await upload.setInputFiles({ name: 'mine.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    const symbols = form.getByRole('textbox', { name: 'Symbol', exact: true });
    await expect.poll(() => symbols.count()).toBe(3);
    expect(await symbols.nth(1).inputValue()).toBe('HDFCBANK');
    expect(sent).toEqual([]); // a good file waits for "Analyze"
    await form.getByRole('button', { name: 'Analyze', exact: true }).click();
    const result = analysis(page);
    await expect.poll(() => result.textContent()).toContain('Portfolio value₹80,000.00');
    expect(await result.textContent()).toContain('Unknown symbols: NOPE');
    expect(await result.textContent()).toContain('Charged₹9.00');
    expect(await result.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/^HDFCBANKHold or buy/),
      expect.stringMatching(/^HDFCBANKCaution/),
    ]);
  }, 60_000);

  it('shows a validation error beside its field with focus on it, and bills nothing', async () => {
    const { page, problems, user } = await web.signedIn('investor');
    const form = await fillPortfolio(page, [
      ['TCS', 10],
      ['INFY', 0],
    ]);
    await form.getByRole('button', { name: 'Analyze', exact: true }).click();
    const quantity = form.getByRole('spinbutton', { name: 'Quantity', exact: true }).nth(1);
    await expect.poll(() => quantity.getAttribute('aria-invalid')).toBe('true');
    expect(await quantity.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await form.textContent()).toContain('There is a problem');
    const describedBy = (await quantity.getAttribute('aria-describedby')) ?? '';
    const errorId = describedBy.split(' ').find((id) => id.endsWith('-error')) ?? 'none';
    expect(await page.locator(`[id="${errorId}"]`).textContent()).toBe(
      'Error: Enter a quantity from 1 to 1,000,000,000',
    );
    await checkScreen(page, problems, 'validation errors');

    // The API's own field errors land on the same input (portfolio[1].symbol → the second Symbol).
    await quantity.fill('3');
    await page.route('**/api/analyze', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          type: '/problems/validation-error',
          title: 'Invalid request',
          status: 400,
          detail: 'The portfolio is invalid',
          errors: [{ field: 'portfolio[1].symbol', message: 'is not a valid NSE symbol' }],
        }),
      }),
    );
    await form.getByRole('button', { name: 'Analyze', exact: true }).click();
    const symbol = form.getByRole('textbox', { name: 'Symbol', exact: true }).nth(1);
    await expect.poll(() => symbol.getAttribute('aria-invalid')).toBe('true');
    expect(await symbol.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.unroute('**/api/analyze');

    const usage = await web.api<{ portfolios_analyzed_total: number }>(user, '/api/usage');
    expect(usage.body.portfolios_analyzed_total).toBe(0);
  }, 60_000);

  it('sends an expired session back to sign-in and keeps the typed portfolio', async () => {
    const { page, user } = await web.signedIn('investor');
    await fillPortfolio(page, [['WIPRO', 7]]);
    // The API stops accepting the token (as after expiry): the next call gets a 401.
    await page.evaluate(() => {
      for (const key of Object.keys(sessionStorage).filter((k) => k.startsWith('oidc.user:'))) {
        const stored = JSON.parse(sessionStorage.getItem(key) ?? '{}');
        sessionStorage.setItem(key, JSON.stringify({ ...stored, access_token: 'expired.token.value' }));
      }
    });
    await page.goto(`${web.base}/billing`);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('session has expired');
    await signInFromHere(page, user);
    await page.getByRole('region', { name: 'This month', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Analyze', exact: true }).click();
    const form = page.getByRole('form', { name: 'Portfolio', exact: true });
    expect(await form.getByRole('textbox', { name: 'Symbol', exact: true }).inputValue()).toBe('WIPRO');
    expect(await form.getByRole('spinbutton', { name: 'Quantity', exact: true }).inputValue()).toBe('7');
  }, 60_000);

  it("shows this month's bill and the (empty) invoice list", async () => {
    const { page, problems } = await web.signedIn('investor');
    const form = await fillPortfolio(page, [
      ['TCS', 10],
      ['INFY', 20],
    ]);
    await form.getByRole('button', { name: 'Analyze', exact: true }).click();
    await expect.poll(() => analysis(page).textContent()).toContain('Charged₹11.00');
    await page.getByRole('link', { name: 'Billing', exact: true }).click();
    const month = page.getByRole('region', { name: 'This month', exact: true });
    const lines = month.getByRole('table').getByRole('row');
    await expect.poll(() => lines.count()).toBe(4);
    expect(await lines.nth(1).textContent()).toMatch(/1₹5\.00₹5\.00$/);
    expect(await lines.nth(2).textContent()).toMatch(/3₹2\.00₹6\.00$/);
    expect(await lines.nth(3).textContent()).toBe('Subtotal₹11.00');
    const invoices = page.getByRole('region', { name: 'Invoices', exact: true });
    await expect.poll(() => invoices.textContent()).toContain('No invoices yet');
    await checkScreen(page, problems, 'billing');
  }, 60_000);

  it('lists market prices, refreshes them by itself, and says so when the API is unreachable', async () => {
    const { page, problems } = await web.signedIn('investor');
    await page.route('**/api/market', (route) => route.abort('connectionrefused'));
    await page.getByRole('link', { name: 'Market', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('can’t reach');
    await page.unroute('**/api/market');
    await page.getByRole('button', { name: 'Try again', exact: true }).click();
    const table = page.getByRole('table', { name: 'Market', exact: true });
    const wipro = table.getByRole('row').filter({ hasText: 'WIPRO' });
    await expect.poll(() => wipro.textContent()).toContain('₹500.00');
    expect(await table.getByRole('row').count()).toBe(TICKS.length + 1);
    await checkScreen(page, problems, 'market');
    await web.publish([{ symbol: 'WIPRO', price: 512.25 }]);
    await expect.poll(() => wipro.textContent(), { timeout: 25_000, interval: 500 }).toContain('₹512.25');
  }, 60_000);

  it('opens a stored result from past analyses', async () => {
    const { page, problems } = await web.signedIn('investor');
    const form = await fillPortfolio(page, [['TCS', 1]]);
    await form.getByRole('button', { name: 'Analyze', exact: true }).click();
    await expect.poll(() => analysis(page).textContent()).toContain('₹4,000.00');
    await form.getByRole('spinbutton', { name: 'Quantity', exact: true }).fill('2');
    await form.getByRole('button', { name: 'Analyze', exact: true }).click();
    await expect.poll(() => analysis(page).textContent()).toContain('Portfolio value₹8,000.00');
    await page.getByRole('link', { name: 'History', exact: true }).click();
    const past = page.getByRole('region', { name: 'Past analyses', exact: true });
    const items = past.getByRole('link');
    await expect.poll(() => items.count()).toBe(2);
    expect(await items.first().textContent()).toContain('₹8,000.00'); // newest first
    expect(await items.first().textContent()).toContain('TCS × 2 · 2 advice · charged ₹9.00');
    await checkScreen(page, problems, 'history');
    await items.nth(1).click();
    await expect.poll(() => analysis(page).textContent()).toContain('Portfolio value₹4,000.00');
    await checkScreen(page, problems, 'stored analysis');
  }, 60_000);

  it('creates an API key shown once, and revokes it', async () => {
    const { page, problems, user } = await web.signedIn('investor');
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const keys = page.getByRole('region', { name: 'API keys', exact: true });
    await keys.getByRole('textbox', { name: 'Key name', exact: true }).fill('Trading bot');
    await keys.getByRole('button', { name: 'Create key', exact: true }).click();
    await keys.getByRole('button', { name: 'Copy', exact: true }).waitFor();
    const secret = (await keys.locator('.key-box code').textContent()) ?? '';
    expect(secret).toMatch(/^sck_[A-Za-z0-9_-]{43,}$/);
    expect((await web.api(user, '/api/market', secret)).status).toBe(200);
    await checkScreen(page, problems, 'API keys');
    await keys.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect.poll(() => keys.textContent()).toContain('Revoked');
    expect(await keys.textContent()).not.toContain(secret); // shown once only
    expect((await web.api(user, '/api/market', secret)).status).toBe(401);
  }, 60_000);

  it('turns a rule off and its advice no longer appears', async () => {
    const { page, problems } = await web.signedIn('investor');
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const rules = page.getByRole('region', { name: 'Advice rules', exact: true });
    const sharpDrop = rules.getByRole('checkbox', { name: 'Sharp drop', exact: true });
    await sharpDrop.waitFor();
    for (const title of [
      'Concentration',
      'Strong growth',
      'High volatility',
      'Underweight momentum',
      'Diversification',
    ])
      expect(await rules.getByRole('checkbox', { name: title, exact: true }).isChecked()).toBe(true);
    expect(await rules.getByRole('spinbutton', { name: 'Sharp drop threshold', exact: true }).count()).toBe(
      1,
    );
    await checkScreen(page, problems, 'advice rules');
    await sharpDrop.uncheck();
    await rules.getByRole('button', { name: 'Save rules', exact: true }).click();
    await expect.poll(() => rules.getByRole('status').textContent()).toContain('Rules saved');
    await page.getByRole('link', { name: 'Analyze', exact: true }).click();
    const form = await fillPortfolio(page, [
      ['TCS', 10],
      ['INFY', 20],
    ]);
    await form.getByRole('button', { name: 'Analyze', exact: true }).click();
    await expect.poll(() => analysis(page).textContent()).toContain('Charged₹9.00');
    const advice = await analysis(page).getByRole('listitem').allTextContents();
    expect(advice.map((a) => a.slice(0, 4))).toEqual(['TCSR', 'PORT']);
  }, 60_000);
});
