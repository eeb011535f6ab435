/// <reference lib="dom" />
/**
 * Sign-in fidelity in a real browser against the real local stack (issue 16 items 6 and 7):
 * an e-mail sign-in shows the e-mail, not Cognito's UUID username; a short-lived access token is
 * renewed with the refresh token without the page noticing; "Sign out" revokes the refresh
 * token, so the token endpoint refuses it afterwards. The local tokens live 10 s here (900 s
 * under `npm start`, as prod's 15 minutes), so renewal happens within the test.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { LOCAL_CLIENT_ID } from '../../local/issuer';
import { checkScreen, signIn } from '../helpers/browser';
import { useWebStack } from '../helpers/web-stack';

/**
 * oidc-client-ts renews a minute before expiry, or 1 s after loading a token that lives less
 * than that; its timers count whole seconds, so 10 s leaves a wide margin before the expiry.
 */
const TOKEN_TTL_SECONDS = 10;

const web = useWebStack({ name: 'session', accessTokenTtlSeconds: TOKEN_TTL_SECONDS });

/** The tokens oidc-client-ts keeps in sessionStorage for the signed-in user. */
async function storedTokens(page: Page): Promise<{ access_token: string; refresh_token?: string } | null> {
  return page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
    return key ? JSON.parse(sessionStorage.getItem(key) ?? 'null') : null;
  });
}

const expOf = (jwt: string) =>
  (JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }).exp;

describe('signed-in sessions', () => {
  it('shows the e-mail of a user who signed in with one, not the UUID username Cognito gives them', async () => {
    const email = `${web.fresh('meera')}@example.in`;
    const { page, problems } = await web.openPage(email);
    await signIn(page, web.base, email);
    const banner = page.getByRole('banner');
    await expect.poll(() => banner.textContent()).toContain(email);
    expect(await banner.textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    // The access token really is Cognito-shaped: its username is the UUID the page does not show.
    const tokens = await storedTokens(page);
    const access = JSON.parse(Buffer.from(tokens?.access_token.split('.')[1] ?? '', 'base64url').toString());
    expect(access.username).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(access).not.toHaveProperty('email');
    await checkScreen(page, problems, 'signed-in header with an e-mail');
  }, 60_000);

  it('renews an expired access token with the refresh token, without leaving the page', async () => {
    const user = web.fresh('renewal');
    const { page, problems } = await web.openPage(user);
    const grants: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/local-issuer/token'))
        grants.push(new URLSearchParams(r.postData() ?? '').get('grant_type') ?? '');
    });
    await signIn(page, web.base, user);
    const form = page.getByRole('form', { name: 'Portfolio', exact: true });
    await form.getByRole('textbox', { name: 'Symbol', exact: true }).fill('TCS');
    await page.evaluate(() => {
      (window as unknown as { stillHere: boolean }).stillHere = true;
    });
    const first = (await storedTokens(page))?.access_token ?? '';

    // Past the first token's expiry (whole seconds, plus one for the clock's rounding).
    await page.waitForTimeout((expOf(first) + 1) * 1000 - Date.now());
    const history = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/analyses');
    await page.getByRole('link', { name: 'History', exact: true }).click();
    const response = await history;
    expect(response.status()).toBe(200);
    const sent = (await response.request().allHeaders()).authorization ?? '';
    expect(sent).toMatch(/^Bearer /);
    expect(sent).not.toBe(`Bearer ${first}`);
    expect(expOf(sent.slice(7)) * 1000).toBeGreaterThan(Date.now() - 1000);

    // The same page, still signed in, the typed portfolio where it was; renewed by refresh token.
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(grants[0]).toBe('authorization_code');
    expect(grants.slice(1)).toContain('refresh_token');
    expect(await page.getByText('session has expired').count()).toBe(0);
    await page.getByRole('link', { name: 'Analyze', exact: true }).click();
    expect(await form.getByRole('textbox', { name: 'Symbol', exact: true }).inputValue()).toBe('TCS');
    expect(problems).toEqual([]);
  }, 60_000);

  it('"Sign out" revokes the refresh token: the token endpoint refuses it afterwards', async () => {
    const user = web.fresh('leaving');
    const { page, problems } = await web.openPage(user);
    const revocations: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/local-issuer/revoke')) revocations.push(r.postData() ?? '');
    });
    await signIn(page, web.base, user);
    const refreshToken = (await storedTokens(page))?.refresh_token ?? '';
    expect(refreshToken).not.toBe('');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await storedTokens(page)).toBeNull();
    expect(revocations.map((body) => new URLSearchParams(body).get('token_type_hint'))).toEqual([
      'refresh_token',
    ]);

    const res = await fetch(`${web.base}/local-issuer/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: LOCAL_CLIENT_ID,
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
    expect(problems).toEqual([]);
  }, 60_000);

  it('a page opened again after its access token ran out renews it before its first call', async () => {
    const user = web.fresh('returning');
    const { page, problems } = await web.openPage(user);
    await signIn(page, web.base, user);
    // As if the tab had slept past the expiry: the stored token's expiry is in the past.
    await page.evaluate(() => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')) ?? '';
      const stored = JSON.parse(sessionStorage.getItem(key) ?? '{}');
      sessionStorage.setItem(
        key,
        JSON.stringify({ ...stored, expires_at: Math.floor(Date.now() / 1000) - 5 }),
      );
    });
    const bill = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/billing');
    await page.goto(`${web.base}/billing`);
    expect((await bill).status()).toBe(200);
    await page.getByRole('region', { name: 'This month', exact: true }).waitFor();
    expect(await page.getByText('session has expired').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it('signs out even when the revocation endpoint cannot be reached', async () => {
    const user = web.fresh('offline');
    const { page } = await web.openPage(user);
    await signIn(page, web.base, user);
    await page.route('**/local-issuer/revoke', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await storedTokens(page)).toBeNull();
  }, 60_000);
});
